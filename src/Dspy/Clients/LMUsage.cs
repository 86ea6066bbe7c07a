namespace Dspy;

/// <summary>
/// Token usage of one LM call or a sum of calls, in DSPy's shape (<c>prompt_tokens</c>, <c>completion_tokens</c>,
/// <c>total_tokens</c>) plus the cost in USD when the model's price is known.
/// </summary>
public sealed record LMUsage
{
    /// <summary>No usage (a cache hit, or nothing called).</summary>
    public static LMUsage Empty { get; } = new();

    /// <summary>Input tokens.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>Input plus output tokens, as reported by the provider.</summary>
    public long TotalTokens { get; init; }

    /// <summary>Number of LM requests summed into this usage.</summary>
    public long Calls { get; init; }

    /// <summary>Cost in USD, or null when the price is not known.</summary>
    public double? Cost { get; init; }

    /// <summary>Provider-specific counts (cached input tokens, reasoning tokens ...), summed key by key.</summary>
    public IReadOnlyDictionary<string, long> Details { get; init; } = new Dictionary<string, long>();

    /// <summary>The sum of two usages; detail counts are summed key by key.</summary>
    public LMUsage Add(LMUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var details = new Dictionary<string, long>(Details, StringComparer.Ordinal);
        foreach (var (k, v) in other.Details) details[k] = details.GetValueOrDefault(k) + v;
        return new LMUsage
        {
            PromptTokens = PromptTokens + other.PromptTokens,
            CompletionTokens = CompletionTokens + other.CompletionTokens,
            TotalTokens = TotalTokens + other.TotalTokens,
            Calls = Calls + other.Calls,
            Cost = Cost is null && other.Cost is null ? null : (Cost ?? 0) + (other.Cost ?? 0),
            Details = details,
        };
    }

    /// <summary>The sum of two usages (see <see cref="Add"/>).</summary>
    public static LMUsage operator +(LMUsage a, LMUsage b) => a.Add(b);
}
