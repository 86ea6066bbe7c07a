namespace Dspy.Grains;

public sealed partial class DspyGrainsOptions
{
    /// <summary>
    /// The table of the cluster-wide LM response cache (Azure mode with <see cref="LmCache"/> on): every silo reads and
    /// writes the same entries, keyed by DSPy's cache key.
    /// </summary>
    public string LmCacheTable { get; set; } = "DspyLmCache";

    /// <summary>
    /// The blob container (Azure mode) for payloads too large for table storage: dataset shards and large LM cache entries.
    /// </summary>
    public string BlobContainer { get; set; } = "dspy-payloads";

    /// <summary>
    /// The largest dataset (its examples' serialized JSON, in bytes) a dataset grain keeps in its own state in Azure mode;
    /// a larger one is stored as shards in <see cref="BlobContainer"/> and the state keeps only the shards' blob names.
    /// A table entity holds at most 960 KiB of grain state, so the limit is well below that. Memory mode ignores it.
    /// </summary>
    public int DatasetInlineLimitBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The largest part of a grain's state (in bytes, as the storage serializer writes it) kept in the state itself in Azure
    /// mode; a larger one goes to a content-named blob in <see cref="BlobContainer"/> and the state keeps its name. The parts:
    /// a compile run's configuration (its train/val id lists and starting program) and its optimized program, a candidate's
    /// program, a GEPA checkpoint, and the growing maps (a shard's evaluated cells, a candidate's per-example scores, a
    /// Pareto front's per-example bests), which keep their newest entries in the state up to this size and move them to
    /// append-only blob segments beyond it. A record holds a few such parts, so the limit is well below a table entity's
    /// 960 KiB. Memory mode ignores it.
    /// </summary>
    public int StateInlineLimitBytes { get; set; } = 64 * 1024;

    /// <summary>True when the silo's LM shares its cache through Azure storage (Azure mode, cache on, no ready-made LM).</summary>
    public bool SharedLmCache => Store == GrainStateStore.AzureTable && LmCache && Lm is null;

    private void ValidateStorage()
    {
        if (string.IsNullOrWhiteSpace(LmCacheTable) || LmCacheTable.Length is < 3 or > 63 || !LmCacheTable.All(char.IsAsciiLetterOrDigit)
            || !char.IsAsciiLetter(LmCacheTable[0]))
        {
            throw new ArgumentException($"Dspy:Grains:LmCacheTable '{LmCacheTable}' must be 3-63 letters and digits starting with a letter (an Azure table name).");
        }
        if (string.Equals(LmCacheTable, GrainStateTable, StringComparison.OrdinalIgnoreCase)
            || string.Equals(LmCacheTable, GrainStateTable + "Reminders", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Dspy:Grains:LmCacheTable '{LmCacheTable}' must differ from the grain state and reminder tables.");
        }
        if (!IsContainerName(BlobContainer))
        {
            throw new ArgumentException(
                $"Dspy:Grains:BlobContainer '{BlobContainer}' must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit (an Azure blob container name).");
        }
        if (DatasetInlineLimitBytes is < 0 or > 512 * 1024)
        {
            throw new ArgumentException($"Dspy:Grains:DatasetInlineLimitBytes must be between 0 and 524288 (a table entity holds at most 960 KiB of state), not {DatasetInlineLimitBytes}.");
        }
        if (StateInlineLimitBytes is < 0 or > MaxStateInlineLimitBytes)
        {
            throw new ArgumentException(
                $"Dspy:Grains:StateInlineLimitBytes must be between 0 and {MaxStateInlineLimitBytes} (a grain's state holds a few parts of up to this size, and a table entity at most 960 KiB), not {StateInlineLimitBytes}.");
        }
    }

    // A compile run's record holds two parts of up to this size plus its events (at most 128 KiB): 2 x 256 + 128 KiB stays
    // well under a table entity's 960 KiB.
    private const int MaxStateInlineLimitBytes = 256 * 1024;

    private static bool IsContainerName(string? name)
        => name is { Length: >= 3 and <= 63 }
           && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
           && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
           && !name.Contains("--", StringComparison.Ordinal);
}
