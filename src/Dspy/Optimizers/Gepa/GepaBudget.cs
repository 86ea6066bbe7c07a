namespace Dspy;

/// <summary>
/// GEPA's metric-call budget (reference/dspy.md section 3.2). Every metric call on one example counts 1: the seed's
/// full-valset evaluation, each parent and child minibatch evaluation, each merge subsample and each full evaluation of an
/// accepted program.
/// </summary>
public static class GepaBudget
{
    /// <summary>Candidates an <c>auto</c> level is sized for: light 6, medium 12, heavy 18.</summary>
    public static int NumCandidates(GepaAuto auto) => auto switch
    {
        GepaAuto.Light => 6,
        GepaAuto.Medium => 12,
        GepaAuto.Heavy => 18,
        _ => throw new ArgumentOutOfRangeException(nameof(auto), auto, "Unknown auto level."),
    };

    /// <summary>
    /// DSPy's <c>auto_budget(num_preds, num_candidates, valset_size)</c> with minibatch size M = 35 and full-eval period
    /// m = 5: <c>N = int(max(2 * (2 * num_preds) * log2(n), 1.5 * n))</c> trials, then
    /// <c>V + 5n + N * M + ((N + 1) // m + 1 + (1 if N &lt; m else 0)) * V</c> metric calls. For one predictor and light
    /// (n = 6, N = 10) that is <c>4V + 380</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static long AutoBudget(int numPredictors, int numCandidates, int valsetSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPredictors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numCandidates);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(valsetSize);
        const int minibatchSize = 35;
        const int fullEvalSteps = 5;
        var trials = (long)Math.Max(2.0 * (2 * numPredictors) * Math.Log2(numCandidates), 1.5 * numCandidates);
        var fullEvals = ((trials + 1) / fullEvalSteps) + 1 + (trials < fullEvalSteps ? 1 : 0);
        return valsetSize + (5L * numCandidates) + (trials * minibatchSize) + (fullEvals * valsetSize);
    }

    /// <summary>
    /// The budget a GEPA configuration gets, as DSPy resolves it: <c>max_metric_calls</c> as given;
    /// <c>max_full_evals * (|train| + |val|)</c> (the valset as passed, none counting 0); or the <c>auto</c> budget with
    /// <c>max(#predictors, 1)</c> predictors and the valset size (the trainset's when there is no valset).
    /// </summary>
    /// <exception cref="ArgumentException">Not exactly one of the three is set.</exception>
    public static long Resolve(GepaAuto? auto, int? maxFullEvals, long? maxMetricCalls, int numPredictors, int trainsetSize, int? valsetSize)
    {
        var set = (auto is null ? 0 : 1) + (maxFullEvals is null ? 0 : 1) + (maxMetricCalls is null ? 0 : 1);
        if (set != 1)
        {
            throw new ArgumentException(
                $"Exactly one of auto, max_full_evals, max_metric_calls must be set. You set auto={Show(auto)}, max_full_evals={Show(maxFullEvals)}, max_metric_calls={Show(maxMetricCalls)}.");
        }
        if (maxMetricCalls is { } calls) return calls;
        if (maxFullEvals is { } full) return (long)full * (trainsetSize + (valsetSize ?? 0));
        return AutoBudget(Math.Max(numPredictors, 1), NumCandidates(auto!.Value), valsetSize is > 0 ? valsetSize.Value : trainsetSize);
    }

    private static string Show(object? value) => value?.ToString() ?? "None";
}
