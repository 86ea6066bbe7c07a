namespace Dspy;

/// <summary>
/// A small, documented price table (USD per 1M input and output tokens, list prices of late 2025) used to attach a cost to
/// LM usage. Models are matched by the longest known prefix of the name after the provider (so dated snapshots such as
/// <c>gpt-4o-mini-2024-07-18</c> match <c>gpt-4o-mini</c>). Cached-input discounts are not modelled. Unknown models
/// (custom deployments, local models) have no cost. The simulated LM has a NOMINAL price, 1 USD per 1M input and
/// 2 USD per 1M output tokens: it costs nothing to run, but a price lets cost budgets be exercised against it.
/// </summary>
public static class LMPricing
{
    /// <summary>The nominal price of the simulated LM (per 1M input tokens, per 1M output tokens).</summary>
    public static readonly (double Input, double Output) SimNominal = (1.00, 2.00);

    private static readonly (string Prefix, double Input, double Output)[] s_table =
    [
        ("gpt-4o-mini", 0.15, 0.60),
        ("gpt-4o", 2.50, 10.00),
        ("gpt-4.1-nano", 0.10, 0.40),
        ("gpt-4.1-mini", 0.40, 1.60),
        ("gpt-4.1", 2.00, 8.00),
        ("gpt-4-turbo", 10.00, 30.00),
        ("gpt-3.5-turbo", 0.50, 1.50),
        ("gpt-5-nano", 0.05, 0.40),
        ("gpt-5-mini", 0.25, 2.00),
        ("gpt-5", 1.25, 10.00),
        ("o1-mini", 1.10, 4.40),
        ("o1", 15.00, 60.00),
        ("o3-mini", 1.10, 4.40),
        ("o3", 2.00, 8.00),
        ("o4-mini", 1.10, 4.40),
        ("claude-3-haiku", 0.25, 1.25),
        ("claude-3-5-haiku", 0.80, 4.00),
        ("claude-haiku-4-5", 1.00, 5.00),
        ("claude-3-5-sonnet", 3.00, 15.00),
        ("claude-3-7-sonnet", 3.00, 15.00),
        ("claude-sonnet-4", 3.00, 15.00),
        ("claude-opus-4", 15.00, 75.00),
        ("claude-3-opus", 15.00, 75.00),
    ];

    /// <summary>The price per 1M tokens of <paramref name="model"/> (<c>provider/name</c>), or null when unknown.</summary>
    public static (double Input, double Output)? PriceOf(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (provider, name) = LMProviders.Split(model);
        if (provider == "sim") return SimNominal;
        if (provider is not ("openai" or "azure" or "anthropic")) return null;
        var lower = name.ToLowerInvariant();
        (string Prefix, double Input, double Output)? best = null;
        foreach (var row in s_table)
        {
            if (lower.StartsWith(row.Prefix, StringComparison.Ordinal) && (best is null || row.Prefix.Length > best.Value.Prefix.Length))
                best = row;
        }
        return best is { } b ? (b.Input, b.Output) : null;
    }

    /// <summary>The cost in USD of <paramref name="promptTokens"/> in and <paramref name="completionTokens"/> out, or null when the price is unknown.</summary>
    public static double? CostOf(string model, long promptTokens, long completionTokens)
        => PriceOf(model) is { } p ? (promptTokens * p.Input + completionTokens * p.Output) / 1_000_000.0 : null;
}
