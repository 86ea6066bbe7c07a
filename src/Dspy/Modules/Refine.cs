using System.Text;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Refine</c>: <see cref="BestOfN"/> with feedback. Attempts run as in BestOfN (rollout ids
/// <c>start + i</c>, temperature 1.0, stop at the first reward reaching <see cref="Threshold"/>, else keep the highest, the
/// earliest on ties, only its trace kept). After each attempt below the threshold, except the last, an
/// <see cref="OfferFeedback"/> predictor (on the configured LM and adapter) writes advice per predictor name; the next
/// attempt runs under an adapter that adds that advice to every predictor call as the input <c>hint_</c>.
/// </summary>
/// <remarks>
/// DSPy sends the Python source of the module's class and of the reward function as <c>program_code</c> and
/// <c>reward_code</c>; .NET has no source at run time, so these are <see cref="ProgramCode"/> and <see cref="RewardCode"/>,
/// which default to a description of the module and the reward method and can be set to the real code. As in DSPy, the
/// feedback call itself is traced in the caller's trace. Failures are handled as in <see cref="BestOfN"/> (budget per call;
/// all attempts failing throws instead of returning <c>None</c>).
/// </remarks>
public class Refine : Module
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(Refine));

    private readonly Func<IReadOnlyDictionary<string, object?>, Prediction, CancellationToken, Task<double>> _rewardFn;

    /// <summary>Creates the module with a synchronous reward function <c>reward(inputs, prediction)</c>.</summary>
    /// <param name="module">The module to refine.</param>
    /// <param name="n">The maximum number of attempts.</param>
    /// <param name="rewardFn">Scores an attempt from the call's inputs and its prediction.</param>
    /// <param name="threshold">The reward at which to stop early; null never stops early.</param>
    /// <param name="failCount">How many attempts may fail before the error is re-raised; null or 0 means <paramref name="n"/>.</param>
    public Refine(Module module, int n, Func<IReadOnlyDictionary<string, object?>, Prediction, double> rewardFn, double? threshold, int? failCount = null)
        : this(module, n, BestOfN.WrapReward(rewardFn), threshold, failCount)
    {
        RewardCode = DescribeMethod(rewardFn);
    }

    /// <summary>Creates the module with an asynchronous reward function. Parameters as for the synchronous constructor.</summary>
    public Refine(Module module, int n, Func<IReadOnlyDictionary<string, object?>, Prediction, CancellationToken, Task<double>> rewardFn,
        double? threshold, int? failCount = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(rewardFn);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Module = module;
        N = n;
        _rewardFn = rewardFn;
        Threshold = threshold;
        FailCount = failCount is null or 0 ? n : failCount.Value;
        ProgramCode = $"class {module.GetType().Name}:\n{module}";
        RewardCode = DescribeMethod(rewardFn);
    }

    /// <summary>The module being refined (path <c>module.*</c>).</summary>
    public Module Module { get; private set; }

    /// <summary>The maximum number of attempts.</summary>
    public int N { get; }

    /// <summary>The reward at which attempts stop; null never stops early.</summary>
    public double? Threshold { get; }

    /// <summary>The failure budget of a call.</summary>
    public int FailCount { get; }

    /// <summary>The <c>program_code</c> shown to the feedback LM.</summary>
    public string ProgramCode { get; set; }

    /// <summary>The <c>reward_code</c> shown to the feedback LM.</summary>
    public string RewardCode { get; set; }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var lm = Sampling.ResolveLm(Module);
        var start = Sampling.StartRolloutId(lm);
        var adapter = Settings.Current.Adapter ?? new ChatAdapter();
        var failCount = FailCount;
        Prediction? bestPred = null;
        IReadOnlyList<TraceStep>? bestTrace = null;
        var bestReward = double.NegativeInfinity;
        IReadOnlyDictionary<string, object?>? advice = null;
        Exception? lastError = null;

        for (var idx = 0; idx < N; idx++)
        {
            var rid = start + idx;
            var mod = Module.DeepCopy();
            mod.SetLm(lm.Copy(Sampling.RolloutKwargs(rid)));
            var named = mod.NamedPredictors();
            var predictorNames = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
            var signatureNames = new Dictionary<Signature, string>(ReferenceEqualityComparer.Instance);
            foreach (var (name, p) in named)
            {
                predictorNames[p] = name;
                signatureNames[p.Signature] = name;
            }

            try
            {
                Prediction outputs;
                IReadOnlyList<TraceStep> trace;
                double reward;
                using (Settings.Context(s => s with { Trace = new TraceLog() }))
                {
                    if (advice is null || advice.Count == 0)
                    {
                        outputs = await mod.CallAsync(inputs, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        using (Settings.Context(s => s with { Adapter = new RefineHintAdapter(adapter, advice, signatureNames) }))
                        {
                            outputs = await mod.CallAsync(inputs, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    trace = Settings.Current.Trace.Steps;
                    reward = await _rewardFn(inputs, outputs, cancellationToken).ConfigureAwait(false);
                }

                if (reward > bestReward) (bestReward, bestPred, bestTrace) = (reward, outputs, trace);
                if (Threshold is { } threshold && reward >= threshold) break;
                if (idx == N - 1) break;

                var adviseInputs = FeedbackInputs(mod, inputs, outputs, trace, predictorNames, named.Select(p => p.Name).ToList(), reward);
                var feedback = await new Predict(OfferFeedback.Signature).CallAsync(adviseInputs, cancellationToken).ConfigureAwait(false);
                advice = feedback.Get("advice") switch
                {
                    null => null,
                    IReadOnlyDictionary<string, object?> d => d,
                    var other => StateDictionary.AsDictionary(other)
                        ?? throw new InvalidOperationException($"Refine: the feedback's advice is not a dictionary: {PythonRepr.Repr(other)}"),
                };
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                Log.LogWarning(ex, "Refine: Attempt failed with rollout id {RolloutId}: {Error}", rid, ex.Message);
                if (idx > failCount) throw;
                failCount--;
                lastError = ex;
            }
        }

        Sampling.ExtendTrace(bestTrace);
        return bestPred ?? throw new InvalidOperationException($"Refine: all {N} attempts failed.", lastError);
    }

    private Dictionary<string, object?> FeedbackInputs(Module mod, IReadOnlyDictionary<string, object?> inputs, Prediction outputs,
        IReadOnlyList<TraceStep> trace, Dictionary<object, string> predictorNames, List<string> moduleNames, double reward)
    {
        var trajectory = trace.Select(step => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["module_name"] = predictorNames.TryGetValue(step.Predictor, out var n) ? n : step.Predictor.GetType().Name,
            ["inputs"] = new Dictionary<string, object?>(step.Inputs, StringComparer.Ordinal),
            ["outputs"] = step.Outputs.ToDictionary(),
        }).ToList();

        // Same keys and order as DSPy's advise_kwargs; every non-string value is dumped as 2-space-indented JSON.
        var raw = new (string Key, object? Value)[]
        {
            ("program_code", ProgramCode),
            ("modules_defn", InspectModules(mod)),
            ("program_inputs", new Dictionary<string, object?>(inputs, StringComparer.Ordinal)),
            ("program_trajectory", trajectory),
            ("program_outputs", outputs.ToDictionary()),
            ("reward_code", RewardCode),
            ("target_threshold", Threshold),
            ("reward_value", reward),
            ("module_names", moduleNames.Cast<object?>().ToList()),
        };
        return raw.ToDictionary(kv => kv.Key, kv => (object?)(kv.Value as string ?? PythonJson.Dumps(Mask(kv.Value), indent: 2)), StringComparer.Ordinal);
    }

    /// <summary>
    /// DSPy's <c>inspect_modules</c>: for each predictor, its name, input and output field descriptions and instructions,
    /// tab-indented, between lines of 80 dashes.
    /// </summary>
    public static string InspectModules(Module program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var separator = new string('-', 80);
        var output = new List<string> { separator };
        foreach (var (name, predictor) in program.NamedPredictors())
        {
            var signature = predictor.Signature;
            var instructions = Indented(PythonText.Dedent(signature.Instructions));
            output.Add($"Module {name}");
            output.Add("\n\tInput Fields:");
            output.Add(Indented(AdapterUtils.GetFieldDescriptionString(signature.InputFields)));
            output.Add("\tOutput Fields:");
            output.Add(Indented(AdapterUtils.GetFieldDescriptionString(signature.OutputFields)));
            output.Add($"\tOriginal Instructions: {instructions}");
            output.Add(separator);
        }
        return string.Join("\n", output.Select(o => o.Trim('\n')));

        // ("\n" + "\t" * 2).join([""] + text.splitlines())
        static string Indented(string text)
        {
            var sb = new StringBuilder();
            foreach (var line in PythonText.SplitLines(text)) sb.Append("\n\t\t").Append(line);
            return sb.ToString();
        }
    }

    // DSPy's recursive_mask: what JSON cannot hold becomes "<non-serializable: TypeName>".
    private static object? Mask(object? value)
    {
        switch (value)
        {
            case null or string or bool or long or int or double:
                return value;
            case IReadOnlyDictionary<string, object?> d:
                return d.ToDictionary(kv => kv.Key, kv => Mask(kv.Value), StringComparer.Ordinal);
            case IList<object?> list:
                return list.Select(Mask).ToList();
        }
        try
        {
            PythonJson.Dumps(value);
            return value;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            return $"<non-serializable: {value.GetType().Name}>";
        }
    }

    private static string DescribeMethod(Delegate d) => $"{d.Method.DeclaringType?.Name}.{d.Method.Name}";
}
