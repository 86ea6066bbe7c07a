namespace Dspy.Grains;

/// <summary>
/// The hard LM limits of a compile run (DESIGN invariant 3; the value form of <see cref="BudgetLimits"/>): every LM call
/// the run makes on any silo (optimizer and evaluations) is charged to the run's <see cref="IRunBudgetGrain"/>. Null: no limit.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.RunBudgetLimits")]
public sealed record RunBudgetLimits
{
    /// <summary>The most LM requests that may reach a provider (cache hits and stored cells are free).</summary>
    [Id(0)] public long? MaxCalls { get; init; }

    /// <summary>The most tokens (prompt plus completion) those requests may use.</summary>
    [Id(1)] public long? MaxTokens { get; init; }

    /// <summary>The most those requests may cost, in USD (needs a known model price).</summary>
    [Id(2)] public double? MaxCost { get; init; }

    /// <summary>True when at least one limit is set.</summary>
    public bool IsLimited => ToBudgetLimits().IsLimited;

    /// <summary>The in-process form.</summary>
    public BudgetLimits ToBudgetLimits() => new() { MaxCalls = MaxCalls, MaxTokens = MaxTokens, MaxCost = MaxCost };

    /// <summary>The value form of <paramref name="limits"/>.</summary>
    public static RunBudgetLimits From(BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new RunBudgetLimits { MaxCalls = limits.MaxCalls, MaxTokens = limits.MaxTokens, MaxCost = limits.MaxCost };
    }

    /// <summary>Checks the limits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative, or the cost is not a finite number.</exception>
    public void Validate() => ToBudgetLimits().Validate();

    /// <inheritdoc/>
    public override string ToString() => ToBudgetLimits().ToString();
}
