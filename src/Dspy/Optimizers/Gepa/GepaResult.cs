namespace Dspy;

/// <summary>What <see cref="Gepa.OptimizeAsync"/> returns: the best program and how it was found.</summary>
/// <param name="Program">The candidate with the highest mean validation score, built on the student.</param>
/// <param name="BestIndex">Its index in the candidate pool.</param>
/// <param name="BestScore">Its mean validation score (0..1 for a 0/1 metric).</param>
/// <param name="TotalMetricCalls">Metric calls made (one per example evaluated).</param>
/// <param name="MaxMetricCalls">The budget the run was given.</param>
/// <param name="Front">The final Pareto front, candidates included.</param>
/// <param name="Budget">The LM budget used (task and reflection calls that reached a provider).</param>
public sealed record GepaResult(Module Program, int BestIndex, double BestScore, long TotalMetricCalls, long MaxMetricCalls,
    GepaParetoFrontState Front, OptimizerBudget Budget)
{
    /// <summary>DSPy's <c>detailed_results</c> (a <c>DspyGEPAResult</c>), present when <see cref="GepaOptions.TrackStats"/> is set.</summary>
    public GepaDetailedResults? DetailedResults { get; init; }
}

/// <summary>DSPy's <c>DspyGEPAResult</c>: the whole search, candidate by candidate.</summary>
public sealed record GepaDetailedResults
{
    /// <summary>Every candidate's instructions, by predictor name, in pool order.</summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, string>> Candidates { get; init; }

    /// <summary>Every candidate's parents (empty for the seed).</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Parents { get; init; }

    /// <summary>Every candidate's mean validation score.</summary>
    public required IReadOnlyList<double> ValAggregateScores { get; init; }

    /// <summary>Every candidate's per-example validation scores.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> ValSubscores { get; init; }

    /// <summary>Per validation example, the candidates reaching its best score.</summary>
    public required IReadOnlyList<IReadOnlySet<int>> PerValInstanceBestCandidates { get; init; }

    /// <summary>Metric calls made before each candidate was found.</summary>
    public required IReadOnlyList<long> DiscoveryEvalCounts { get; init; }

    /// <summary>Metric calls made in all.</summary>
    public required long TotalMetricCalls { get; init; }

    /// <summary>Full-valset evaluations made (the seed's included).</summary>
    public required int NumFullValEvals { get; init; }

    /// <summary>The index of the best candidate.</summary>
    public required int BestIdx { get; init; }

    /// <summary>The best candidate's instructions.</summary>
    public required IReadOnlyDictionary<string, string> BestCandidate { get; init; }

    /// <summary>Per validation example, the best score reached.</summary>
    public required IReadOnlyList<double> HighestScoreAchievedPerValTask { get; init; }

    /// <summary>
    /// Per validation example, the outputs of the candidates best on it (candidate index and prediction); present when
    /// <see cref="GepaOptions.TrackBestOutputs"/> is set.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<(int Candidate, Prediction Output)>>? BestOutputsValset { get; init; }
}
