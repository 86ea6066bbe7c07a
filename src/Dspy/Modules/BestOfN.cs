using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.BestOfN</c>: runs a module up to <see cref="N"/> times, attempt <c>i</c> on a deep copy whose LM is
/// <c>lm.Copy(rollout_id: start + i, temperature: 1.0)</c> (<c>start</c> is the LM's own <c>rollout_id</c>, else 0), and
/// returns the first prediction whose reward reaches <see cref="Threshold"/>, else the one with the highest reward (the
/// earliest on ties). Only the chosen attempt's trace is added to <see cref="DspySettings.Trace"/>.
/// </summary>
/// <remarks>
/// A failing attempt is logged and skipped; once more than <see cref="FailCount"/> attempts have failed (DSPy's
/// <c>idx &gt; fail_count</c> with <c>fail_count</c> decremented per failure) the exception is re-raised. Unlike DSPy, the
/// failure budget is counted per call rather than by mutating the module, so concurrent and later calls start afresh; and
/// where DSPy would return <c>None</c> because every attempt failed, this throws <see cref="InvalidOperationException"/>
/// with the last failure as the inner exception.
/// </remarks>
public class BestOfN : Module
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(BestOfN));

    private readonly Func<IReadOnlyDictionary<string, object?>, Prediction, CancellationToken, Task<double>> _rewardFn;

    /// <summary>Creates the module with a synchronous reward function <c>reward(inputs, prediction)</c>.</summary>
    /// <param name="module">The module to run.</param>
    /// <param name="n">The maximum number of attempts.</param>
    /// <param name="rewardFn">Scores an attempt from the call's inputs and its prediction.</param>
    /// <param name="threshold">The reward at which to stop early.</param>
    /// <param name="failCount">How many attempts may fail before the error is re-raised; null or 0 means <paramref name="n"/>.</param>
    public BestOfN(Module module, int n, Func<IReadOnlyDictionary<string, object?>, Prediction, double> rewardFn, double threshold, int? failCount = null)
        : this(module, n, WrapReward(rewardFn), threshold, failCount)
    {
    }

    /// <summary>Creates the module with an asynchronous reward function. Parameters as for the synchronous constructor.</summary>
    public BestOfN(Module module, int n, Func<IReadOnlyDictionary<string, object?>, Prediction, CancellationToken, Task<double>> rewardFn,
        double threshold, int? failCount = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(rewardFn);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Module = module;
        N = n;
        _rewardFn = rewardFn;
        Threshold = threshold;
        // Python's `fail_count or N`: 0 also means N.
        FailCount = failCount is null or 0 ? n : failCount.Value;
    }

    /// <summary>The module being sampled (its predictors are this module's parameters, path <c>module.*</c>).</summary>
    public Module Module { get; private set; }

    /// <summary>The maximum number of attempts.</summary>
    public int N { get; }

    /// <summary>The reward at which sampling stops.</summary>
    public double Threshold { get; }

    /// <summary>The failure budget of a call.</summary>
    public int FailCount { get; }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var lm = Sampling.ResolveLm(Module);
        var start = Sampling.StartRolloutId(lm);
        var failCount = FailCount;
        Prediction? bestPred = null;
        IReadOnlyList<TraceStep>? bestTrace = null;
        var bestReward = double.NegativeInfinity;
        Exception? lastError = null;

        for (var idx = 0; idx < N; idx++)
        {
            var rid = start + idx;
            var mod = Module.DeepCopy();
            mod.SetLm(lm.Copy(Sampling.RolloutKwargs(rid)));
            try
            {
                Prediction pred;
                IReadOnlyList<TraceStep> trace;
                double reward;
                using (Settings.Context(s => s with { Trace = new TraceLog() }))
                {
                    pred = await mod.CallAsync(inputs, cancellationToken).ConfigureAwait(false);
                    trace = Settings.Current.Trace.Steps;
                    // The reward function's own trace is not kept.
                    reward = await _rewardFn(inputs, pred, cancellationToken).ConfigureAwait(false);
                }

                if (reward > bestReward) (bestReward, bestPred, bestTrace) = (reward, pred, trace);
                if (reward >= Threshold) break;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                Log.LogWarning(ex, "BestOfN: Attempt {Attempt} failed with rollout id {RolloutId}: {Error}", idx + 1, rid, ex.Message);
                if (idx > failCount) throw;
                failCount--;
                lastError = ex;
            }
        }

        Sampling.ExtendTrace(bestTrace);
        return bestPred ?? throw new InvalidOperationException($"BestOfN: all {N} attempts failed.", lastError);
    }

    internal static Func<IReadOnlyDictionary<string, object?>, Prediction, CancellationToken, Task<double>> WrapReward(
        Func<IReadOnlyDictionary<string, object?>, Prediction, double> rewardFn)
    {
        ArgumentNullException.ThrowIfNull(rewardFn);
        return (inputs, pred, _) => Task.FromResult(rewardFn(inputs, pred));
    }
}
