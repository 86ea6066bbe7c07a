namespace Dspy.Grains;

/// <summary>Where a dataset's examples are stored: its example count and the blobs of its shards (empty while they are in its state).</summary>
[GenerateSerializer, Immutable, Alias("dspy.DatasetStorageInfo")]
public sealed record DatasetStorageInfo([property: Id(0)] int Count, [property: Id(1)] IReadOnlyList<string> ShardBlobs);
