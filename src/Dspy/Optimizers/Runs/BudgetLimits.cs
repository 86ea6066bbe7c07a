using System.Globalization;

namespace Dspy;

/// <summary>
/// Hard limits on the LM use of a run (DESIGN invariant 3): LM calls, tokens (prompt plus completion) and cost in USD.
/// A null limit is no limit. <see cref="LMBudget"/> enforces them on every provider call made while it is installed.
/// </summary>
public sealed record BudgetLimits
{
    /// <summary>No limit at all (the budget only counts).</summary>
    public static BudgetLimits None { get; } = new();

    /// <summary>The most LM requests that may reach a provider (cache hits are free).</summary>
    public long? MaxCalls { get; init; }

    /// <summary>The most tokens (prompt plus completion) those requests may use.</summary>
    public long? MaxTokens { get; init; }

    /// <summary>The most those requests may cost, in USD (needs a known price, see <see cref="LMPricing"/>).</summary>
    public double? MaxCost { get; init; }

    /// <summary>True when at least one limit is set.</summary>
    public bool IsLimited => MaxCalls is not null || MaxTokens is not null || MaxCost is not null;

    /// <summary>Checks the limits are usable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative, or the cost is not a finite number.</exception>
    public void Validate()
    {
        if (MaxCalls is < 0) throw new ArgumentOutOfRangeException(nameof(MaxCalls), MaxCalls, "MaxCalls must not be negative.");
        if (MaxTokens is < 0) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must not be negative.");
        if (MaxCost is { } c && (!double.IsFinite(c) || c < 0))
            throw new ArgumentOutOfRangeException(nameof(MaxCost), MaxCost, "MaxCost must be a finite, non-negative number of USD.");
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        if (MaxCalls is { } calls) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{calls} calls"));
        if (MaxTokens is { } tokens) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{tokens} tokens"));
        if (MaxCost is { } cost) parts.Add(string.Create(CultureInfo.InvariantCulture, $"${cost:0.######}"));
        return parts.Count == 0 ? "no limits" : string.Join(", ", parts);
    }
}
