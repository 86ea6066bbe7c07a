namespace Dspy.Grains;

/// <summary>
/// The provider LM calls one phase of a compile run made on every silo (cache hits are free and not counted; a request for
/// <c>n</c> generations is <c>n</c> calls, as <see cref="LMBudget"/> counts), with their tokens and their cost when known.
/// Counted by the run's <see cref="IRunBudgetGrain"/>, whatever the run's limits.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.RunPhaseUsage")]
public sealed record RunPhaseUsage
{
    /// <summary>Nothing used.</summary>
    public static RunPhaseUsage None { get; } = new();

    /// <summary>Provider LM calls.</summary>
    [Id(0)] public long Calls { get; init; }

    /// <summary>Their prompt tokens.</summary>
    [Id(1)] public long PromptTokens { get; init; }

    /// <summary>Their completion tokens.</summary>
    [Id(2)] public long CompletionTokens { get; init; }

    /// <summary>Their cost in USD, or null while no price is known.</summary>
    [Id(3)] public double? Cost { get; init; }

    /// <summary>The usage in the form optimizers report.</summary>
    public OptimizerBudget Used => new(Calls, PromptTokens, CompletionTokens, Cost);

    /// <summary>The value form of <paramref name="used"/>.</summary>
    public static RunPhaseUsage From(OptimizerBudget used)
    {
        ArgumentNullException.ThrowIfNull(used);
        return new RunPhaseUsage { Calls = used.LmCalls, PromptTokens = used.PromptTokens, CompletionTokens = used.CompletionTokens, Cost = used.Cost };
    }
}

/// <summary>The phases of a compile run whose LM calls are counted apart (<see cref="CompileRunStatus.LmUsage"/>).</summary>
public static class RunPhases
{
    /// <summary>The evaluation of the unoptimized program on the valset (<c>dspy compile</c>'s "before").</summary>
    public const string Baseline = "baseline";

    /// <summary>The optimizer: its own calls (teacher, proposer, reflection) and its evaluations; what a run budget limits.</summary>
    public const string Compile = "compile";

    /// <summary>The evaluation of the optimized program on the valset ("after").</summary>
    public const string Final = "final";

    /// <summary>Whether <paramref name="phase"/> is one of the phases.</summary>
    public static bool IsKnown(string? phase) => phase is Baseline or Compile or Final;

    /// <summary>The usage of <paramref name="phase"/> in <paramref name="usage"/> (none when it made no call).</summary>
    public static RunPhaseUsage Of(IReadOnlyDictionary<string, RunPhaseUsage>? usage, string phase) =>
        usage is not null && usage.TryGetValue(phase, out var u) ? u : RunPhaseUsage.None;
}
