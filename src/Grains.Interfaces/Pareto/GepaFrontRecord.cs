namespace Dspy.Grains;

/// <summary>
/// A GEPA run's checkpoint as the Pareto-front grain stores it (see <see cref="GepaCheckpoint"/>): the candidates with
/// their per-example validation scores and the counters of the search. Kept small: instructions are listed in component
/// order (no repeated predictor names), scores as one plain list per candidate, and the per-example fronts are not stored
/// because they follow from the candidates' scores.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.GepaFrontRecord")]
public sealed record GepaFrontRecord
{
    /// <summary>The run configuration's key (<see cref="GepaCheckpoint.RunKey"/>).</summary>
    [Id(0)] public required string RunKey { get; init; }

    /// <summary>The predictor names, in program order.</summary>
    [Id(1)] public required IReadOnlyList<string> ComponentNames { get; init; }

    /// <summary>Every candidate, in pool order (0 is the student).</summary>
    [Id(2)] public required IReadOnlyList<GepaCandidateRecord> Candidates { get; init; }

    /// <summary>Per candidate, its round-robin pointer (the next predictor a mutation of it rewrites).</summary>
    [Id(3)] public required IReadOnlyList<int> NextComponent { get; init; }

    /// <summary>Rounds completed.</summary>
    [Id(4)] public required int Round { get; init; }

    /// <summary>GEPA's iteration counter.</summary>
    [Id(5)] public required int Iteration { get; init; }

    /// <summary>Metric calls made.</summary>
    [Id(6)] public required long TotalMetricCalls { get; init; }

    /// <summary>Full validation evaluations made.</summary>
    [Id(7)] public required int NumFullValEvals { get; init; }

    /// <summary>Merges scheduled and not yet tried.</summary>
    [Id(8)] public required int MergesDue { get; init; }

    /// <summary>Merges accepted.</summary>
    [Id(9)] public required int TotalMergesTested { get; init; }

    /// <summary>Whether the last round added a program.</summary>
    [Id(10)] public required bool LastIterFoundNewProgram { get; init; }

    /// <summary>Whether the run has stopped.</summary>
    [Id(11)] public required bool Stopped { get; init; }

    /// <summary>The minibatch sampler's epoch.</summary>
    [Id(12)] public required int SamplerEpoch { get; init; }

    /// <summary>How many times the minibatch sampler has shuffled.</summary>
    [Id(13)] public required int SamplerShuffles { get; init; }

    /// <summary>The merge triples tried, flattened: i, j, ancestor, i, j, ancestor ...</summary>
    [Id(14)] public required IReadOnlyList<int> MergedTriples { get; init; }

    /// <summary>The merge descriptions tried.</summary>
    [Id(15)] public required IReadOnlyList<string> MergedDescriptions { get; init; }
}

/// <summary>One GEPA candidate in a <see cref="GepaFrontRecord"/>.</summary>
[GenerateSerializer, Immutable, Alias("dspy.GepaCandidateRecord")]
public sealed record GepaCandidateRecord
{
    /// <summary>Its instruction per predictor, in the record's component order.</summary>
    [Id(0)] public required IReadOnlyList<string> Instructions { get; init; }

    /// <summary>The candidates it came from.</summary>
    [Id(1)] public required IReadOnlyList<int> Parents { get; init; }

    /// <summary>Its score on each validation example, in valset order.</summary>
    [Id(2)] public required IReadOnlyList<double> ValScores { get; init; }

    /// <summary>Metric calls made before it was found.</summary>
    [Id(3)] public required long DiscoveryEvalCount { get; init; }

    /// <summary><c>seed</c>, <c>reflective</c> or <c>merge</c>.</summary>
    [Id(4)] public required string Origin { get; init; }
}
