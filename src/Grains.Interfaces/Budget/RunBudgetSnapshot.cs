using System.Globalization;

namespace Dspy.Grains;

/// <summary>
/// A run budget's counts (what <see cref="IRunBudgetGrain"/> answers and a compile run's status reports): the limits,
/// what settled calls used, what open reservations hold, and how many calls were refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.RunBudgetSnapshot")]
public sealed record RunBudgetSnapshot
{
    /// <summary>The limits (null until the first reservation brought them).</summary>
    [Id(0)] public RunBudgetLimits? Limits { get; init; }

    /// <summary>LM calls settled (including reservations charged when their lease ran out).</summary>
    [Id(1)] public long Calls { get; init; }

    /// <summary>Prompt tokens of those calls.</summary>
    [Id(2)] public long PromptTokens { get; init; }

    /// <summary>Completion tokens of those calls.</summary>
    [Id(3)] public long CompletionTokens { get; init; }

    /// <summary>Their cost in USD, or null while no price is known.</summary>
    [Id(4)] public double? Cost { get; init; }

    /// <summary>Open reservations (calls in flight somewhere in the cluster).</summary>
    [Id(5)] public long ReservedCalls { get; init; }

    /// <summary>Tokens the open reservations hold.</summary>
    [Id(6)] public long ReservedTokens { get; init; }

    /// <summary>Cost in USD the open reservations hold.</summary>
    [Id(7)] public double ReservedCost { get; init; }

    /// <summary>Calls refused because they would have crossed a limit.</summary>
    [Id(8)] public long Refusals { get; init; }

    /// <summary>Reservations whose lease ran out before they were settled (their holder died): charged at their bound.</summary>
    [Id(9)] public long Expired { get; init; }

    /// <summary>Increases with every change, so a holder keeps the newest of the answers it receives.</summary>
    [Id(10)] public long Version { get; init; }

    /// <summary>True once a call was refused: the budget ran out.</summary>
    public bool Exhausted => Refusals > 0;

    /// <summary>The used part in the form optimizers report.</summary>
    public OptimizerBudget Used => new(Calls, PromptTokens, CompletionTokens, Cost);

    /// <summary>The counts as an <see cref="LMBudgetState"/>.</summary>
    public LMBudgetState ToState() => new(Used, ReservedCalls, ReservedTokens, ReservedCost, Refusals);

    /// <summary>A one-line summary, e.g. <c>12 calls, 3400 tokens of 20 calls; ran out (3 calls refused)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{LMBudget.Describe(Used)} of {(Limits is null ? "no limits" : Limits.ToString())}{(Exhausted ? $"; ran out ({Refusals} calls refused)" : "")}");
}
