namespace Dspy;

/// <summary>DSPy's <c>UsageTracker</c>: sums LM usage per model across calls (cache hits add nothing).</summary>
public sealed class UsageTracker
{
    private readonly Dictionary<string, LMUsage> _byModel = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Adds one call's usage.</summary>
    public void Add(string model, LMUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        lock (_lock) _byModel[model] = _byModel.TryGetValue(model, out var u) ? u + usage : usage;
    }

    /// <summary>Usage per model so far.</summary>
    public IReadOnlyDictionary<string, LMUsage> GetTotalTokens()
    {
        lock (_lock) return new Dictionary<string, LMUsage>(_byModel, StringComparer.Ordinal);
    }
}
