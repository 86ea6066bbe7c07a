namespace Dspy.Grains;

/// <summary>The lifecycle of a compile run.</summary>
[GenerateSerializer, Alias("dspy.CompileRunState")]
public enum CompileRunState
{
    /// <summary>Never started.</summary>
    None,

    /// <summary>Running (or waiting to be resumed after a failure).</summary>
    Running,

    /// <summary>Finished with a result.</summary>
    Completed,

    /// <summary>Stopped by an error.</summary>
    Failed,

    /// <summary>Cancelled by the user.</summary>
    Cancelled,
}

/// <summary>A compile run's status: lifecycle, progress and, once completed, the optimized program state.</summary>
[GenerateSerializer, Immutable, Alias("dspy.CompileRunStatus")]
public sealed record CompileRunStatus
{
    /// <summary>The lifecycle state.</summary>
    [Id(0)] public CompileRunState State { get; init; }

    /// <summary>How many times the run was started on a silo (1 when it never had to resume).</summary>
    [Id(1)] public int Attempts { get; init; }

    /// <summary>Progress events so far.</summary>
    [Id(2)] public int EventCount { get; init; }

    /// <summary>The unoptimized program's valset score (Evaluate's percentage).</summary>
    [Id(3)] public double? BaselineScore { get; init; }

    /// <summary>The optimized program's valset score.</summary>
    [Id(4)] public double? OptimizedScore { get; init; }

    /// <summary>The optimized program (<c>Module.DumpState</c> JSON) once completed.</summary>
    [Id(5)] public string? ResultStateJson { get; init; }

    /// <summary>The error of a failed run.</summary>
    [Id(6)] public string? Error { get; init; }

    /// <summary>
    /// The run's LM budget after the optimization (used calls, tokens, cost; <see cref="RunBudgetSnapshot.Exhausted"/> when
    /// it ran out and the optimizer returned the best program within it); null when the run has no limits.
    /// </summary>
    [Id(20)] public RunBudgetSnapshot? Budget { get; init; }

    /// <summary>
    /// The provider LM calls, tokens and cost of each phase so far (<see cref="RunPhases"/>: baseline, compile, final),
    /// counted on every silo whatever the limits, across resumed attempts; phases that made no call are left out.
    /// </summary>
    [Id(21)] public IReadOnlyDictionary<string, RunPhaseUsage>? LmUsage { get; init; }

    /// <summary>The model of the LM the run's silo runs the program with (<c>Dspy:Grains:LmModel</c>).</summary>
    [Id(22)] public string? LmModel { get; init; }
}

/// <summary>A progress event of a run (the value form of <c>OptimizerEvent</c> plus the run's own phases).</summary>
[GenerateSerializer, Immutable, Alias("dspy.RunProgressEvent")]
public sealed record RunProgressEvent
{
    /// <summary>Position in the run's event list.</summary>
    [Id(0)] public int Index { get; init; }

    /// <summary>The kind (an <c>OptimizerEventKind</c> name, or <c>baseline</c>/<c>completed</c>/<c>resumed</c>).</summary>
    [Id(1)] public required string Kind { get; init; }

    /// <summary>A message.</summary>
    [Id(2)] public string? Message { get; init; }

    /// <summary>A trial's score.</summary>
    [Id(3)] public double? Score { get; init; }

    /// <summary>The best score so far.</summary>
    [Id(4)] public double? BestScore { get; init; }

    /// <summary>The trial number.</summary>
    [Id(5)] public int? Trial { get; init; }

    /// <summary>
    /// On a Pareto update (GEPA): candidate index to the number of validation examples it is best on (ties included); the
    /// count is the front's size. Null for other events.
    /// </summary>
    [Id(6)] public IReadOnlyDictionary<int, int>? ParetoCoverage { get; init; }

    /// <summary>The optimizer's DSPy name that reported the event (e.g. <c>BootstrapFewShot</c>), for optimizer events.</summary>
    [Id(7)] public string? Optimizer { get; init; }

    /// <summary>The planned number of trials, if the optimizer knows it.</summary>
    [Id(8)] public int? TotalTrials { get; init; }
}
