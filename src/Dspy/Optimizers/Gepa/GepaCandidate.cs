namespace Dspy;

/// <summary>One program GEPA found: its instructions by predictor name, its parents and its validation scores.</summary>
/// <param name="Index">Its position in the candidate pool (0 is the student).</param>
/// <param name="Instructions">Predictor name to instruction (GEPA's candidate dict of components).</param>
/// <param name="Parents">The candidates it came from: none for the seed, one for a mutation, two for a merge.</param>
/// <param name="ValScores">Its score on each validation example, in valset order.</param>
/// <param name="DiscoveryEvalCount">Metric calls made before it was found (DSPy's <c>discovery_eval_counts</c>).</param>
/// <param name="Origin"><c>seed</c>, <c>reflective</c> or <c>merge</c>.</param>
public sealed record GepaCandidate(int Index, IReadOnlyDictionary<string, string> Instructions, IReadOnlyList<int> Parents,
    IReadOnlyList<double> ValScores, long DiscoveryEvalCount, string Origin)
{
    /// <summary>The mean validation score (GEPA's aggregate score).</summary>
    public double AggregateScore => ValScores.Count == 0 ? 0 : ValScores.Sum() / ValScores.Count;
}
