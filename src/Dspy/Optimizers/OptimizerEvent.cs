namespace Dspy;

/// <summary>
/// A progress event of an optimizer run (DESIGN invariant 5): the CLI, the HTTP API (server-sent events) and the dashboard
/// all consume the same flat record. Events of one run are reported in a deterministic order (example/candidate order),
/// never in the order parallel work completes.
/// </summary>
public sealed record OptimizerEvent
{
    /// <summary>The optimizer's DSPy name, e.g. <c>BootstrapFewShot</c>.</summary>
    public required string Optimizer { get; init; }

    /// <summary>What happened.</summary>
    public required OptimizerEventKind Kind { get; init; }

    /// <summary>The trial's index (for BootstrapFewShot: the trainset index of the example), if the event concerns one.</summary>
    public int? Trial { get; init; }

    /// <summary>The planned number of trials, if known (an upper bound when the optimizer may stop early).</summary>
    public int? TotalTrials { get; init; }

    /// <summary>The trial's score (for BootstrapFewShot: 1 when the example was bootstrapped, else 0).</summary>
    public double? Score { get; init; }

    /// <summary>The best score so far, if the optimizer keeps one.</summary>
    public double? BestScore { get; init; }

    /// <summary>The LM budget used so far by this run.</summary>
    public OptimizerBudget Budget { get; init; } = OptimizerBudget.None;

    /// <summary>
    /// For <see cref="OptimizerEventKind.ParetoUpdated"/>: each candidate on the front (by index, ascending) and the number of
    /// validation examples on which it reaches the best score (ties included); its count is the front's size.
    /// </summary>
    public IReadOnlyDictionary<int, int>? ParetoCoverage { get; init; }

    /// <summary>A short human-readable description.</summary>
    public string? Message { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Optimizer} {Kind}{(Trial is { } t ? $" #{t}" : "")}: {Message} ({Budget.LmCalls} LM calls)";
}
