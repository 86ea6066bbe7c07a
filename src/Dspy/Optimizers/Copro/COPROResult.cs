namespace Dspy;

/// <summary>What <see cref="COPRO.OptimizeAsync"/> returns: the best program and the attributes DSPy attaches to it.</summary>
public sealed record COPROResult
{
    /// <summary>The best program (the first of <see cref="CandidatePrograms"/>).</summary>
    public required Module Program { get; init; }

    /// <summary>Every evaluated (instruction, prefix) per predictor, highest score first, duplicates dropped (DSPy's <c>candidate_programs</c>).</summary>
    public required IReadOnlyList<COPROCandidate> CandidatePrograms { get; init; }

    /// <summary>Evaluations run (DSPy's <c>total_calls</c>).</summary>
    public required int TotalCalls { get; init; }

    /// <summary>Per predictor (by index), statistics of the ten best scores after each depth (with <see cref="COPROOptions.TrackStats"/>).</summary>
    public IReadOnlyList<COPROStats>? ResultsBest { get; init; }

    /// <summary>Per predictor (by index), statistics of the newest candidates' scores at each depth (with <see cref="COPROOptions.TrackStats"/>).</summary>
    public IReadOnlyList<COPROStats>? ResultsLatest { get; init; }

    /// <summary>True when an LM budget (<see cref="LMBudget"/>) stopped the run early; the best evaluated program is returned.</summary>
    public bool StoppedByBudget { get; init; }

    /// <summary>The LM budget of the run (prompt model and evaluations).</summary>
    public required OptimizerBudget Budget { get; init; }
}

/// <summary>An evaluated COPRO candidate.</summary>
/// <param name="Score">Its score on the trainset (Evaluate's percentage).</param>
/// <param name="Program">The evaluated program.</param>
/// <param name="Instruction">The predictor's instruction.</param>
/// <param name="Prefix">The prefix of the predictor's last output field.</param>
/// <param name="Depth">The depth at which it was (last) scored.</param>
/// <param name="PredictorIndex">The predictor it was proposed for.</param>
public sealed record COPROCandidate(double Score, Module Program, string Instruction, string Prefix, int Depth, int PredictorIndex);

/// <summary>DSPy's per-predictor statistics lists: one entry per recorded depth.</summary>
public sealed record COPROStats
{
    /// <summary>The depths recorded.</summary>
    public List<int> Depth { get; } = [];

    /// <summary>Maximum scores.</summary>
    public List<double> Max { get; } = [];

    /// <summary>Average scores.</summary>
    public List<double> Average { get; } = [];

    /// <summary>Minimum scores.</summary>
    public List<double> Min { get; } = [];

    /// <summary>Population standard deviations (Python's <c>statistics.pstdev</c>).</summary>
    public List<double> Std { get; } = [];

    internal void Add(int depth, IReadOnlyList<double> scores)
    {
        Depth.Add(depth);
        Max.Add(scores.Max());
        var mean = scores.Average();
        Average.Add(scores.Sum() / scores.Count);
        Min.Add(scores.Min());
        Std.Add(Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / scores.Count));
    }
}
