namespace Dspy;

/// <summary>One sampled run of SIMBA: the example, the prediction (null when the program failed), the trace, the score and the metric's extra fields.</summary>
internal sealed record SimbaRun(Example Example, Prediction? Prediction, IReadOnlyList<PredictorTraceStep> Trace, double Score,
    IReadOnlyDictionary<string, object?> Metadata);

/// <summary>SIMBA's program pool: programs by index (0 is the baseline) with the mini-batch scores they were registered with.</summary>
internal sealed class SimbaPool
{
    private readonly List<IReadOnlyList<double>> _scores = [[]];

    public SimbaPool(Module baseline) => Programs.Add(baseline);

    public List<Module> Programs { get; } = [];

    public double AverageScore(int index) => _scores[index].Count == 0 ? 0.0 : _scores[index].Average();

    public void Register(Module program, IReadOnlyList<double> scores)
    {
        Programs.Add(program);
        _scores.Add(scores);
    }

    /// <summary>DSPy's <c>top_k_plus_baseline</c>: the k best by mean score, with the baseline replacing the last if absent.</summary>
    public List<int> TopKPlusBaseline(int k)
    {
        // A stable sort, as Python's sorted(..., reverse=True) keeps pool order among equal scores.
        var top = Enumerable.Range(0, Programs.Count).OrderByDescending(AverageScore).Take(k).ToList();
        if (!top.Contains(0) && top.Count > 0) top[^1] = 0;
        return top.Distinct().ToList();
    }

    /// <summary>DSPy's <c>softmax_sample</c>: weights exp(mean score / temperature), one <c>random.choices</c> draw.</summary>
    public int SoftmaxSample(PythonRandom rng, IReadOnlyList<int> indices, double temperature)
    {
        if (indices.Count == 0) throw new InvalidOperationException("No programs available for softmax sampling.");
        var exps = indices.Select(i => Math.Exp(AverageScore(i) / temperature)).ToList();
        var sum = exps.Sum();
        if (!(sum > 0)) return rng.Choice(indices);
        return GepaRandom.WeightedChoice(rng, indices, exps.Select(x => x / sum).ToList());
    }
}
