namespace Dspy.Grains;

/// <summary>
/// The persisted state of a dataset. Small datasets (and every dataset in memory mode) keep their examples here; a large
/// one in Azure mode keeps only the blob names of its shards (<see cref="Shards"/>), so the state stays far below a table
/// entity's limit whatever the dataset's size.
/// </summary>
public sealed class DatasetState
{
    /// <summary>Example JSON by id, while the examples are kept in the state (empty once they are in shards).</summary>
    public Dictionary<string, string> Examples { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The shards in blob storage by bucket (the first two hex digits of the example ids), or null while inline.</summary>
    public Dictionary<string, DatasetShardRef>? Shards { get; set; }

    /// <summary>The number of examples.</summary>
    public int Count => Shards is null ? Examples.Count : Shards.Values.Sum(s => s.Count);
}

/// <summary>Where one shard of a dataset is stored: a content-addressed blob name and its number of examples.</summary>
public sealed class DatasetShardRef
{
    /// <summary>The blob holding the shard's examples (a new name for every new content, so a name never goes stale).</summary>
    public string Blob { get; set; } = "";

    /// <summary>The number of examples in the shard.</summary>
    public int Count { get; set; }
}
