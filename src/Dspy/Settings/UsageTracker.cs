namespace Dspy;

/// <summary>
/// DSPy's <c>UsageTracker</c>: sums LM usage per model across calls. LMs call <see cref="Add"/> for every response that
/// did not come from the cache; empty usage entries are ignored, as in DSPy.
/// </summary>
public sealed class UsageTracker
{
    private readonly Dictionary<string, LMUsage> _byModel = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Adds one call's usage; an empty usage (a cache hit) adds nothing.</summary>
    public void Add(string model, LMUsage usage)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(usage);
        if (IsEmpty(usage)) return;
        lock (_lock) _byModel[model] = _byModel.TryGetValue(model, out var u) ? u + usage : usage;
    }

    /// <summary>Usage per model so far (DSPy's <c>get_total_tokens()</c>).</summary>
    public IReadOnlyDictionary<string, LMUsage> GetTotalTokens()
    {
        lock (_lock) return new Dictionary<string, LMUsage>(_byModel, StringComparer.Ordinal);
    }

    private static bool IsEmpty(LMUsage u) =>
        u.PromptTokens == 0 && u.CompletionTokens == 0 && u.TotalTokens == 0 && u.Calls == 0 && u.Cost is null && u.Details.Count == 0;
}
