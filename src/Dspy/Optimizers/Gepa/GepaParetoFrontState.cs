namespace Dspy;

/// <summary>
/// The Pareto front of a GEPA run as plain data (lists and dictionaries only), so it can be stored and reloaded, e.g. as
/// the state of a cluster grain: <see cref="GepaParetoFront.ToState"/> and <see cref="GepaParetoFront.FromState"/>.
/// </summary>
public sealed record GepaParetoFrontState
{
    /// <summary>The predictor names (components), in program order.</summary>
    public required List<string> ComponentNames { get; init; }

    /// <summary>Every candidate, in pool order.</summary>
    public required List<GepaCandidate> Candidates { get; init; }

    /// <summary>Per validation example, the best score any candidate reached.</summary>
    public required List<double> BestScores { get; init; }

    /// <summary>Per validation example, the candidates reaching its best score, ascending.</summary>
    public required List<List<int>> ProgramsPerInstance { get; init; }

    /// <summary>Per candidate, the round-robin pointer: the index of the next predictor a mutation of it rewrites.</summary>
    public required List<int> NextComponent { get; init; }
}
