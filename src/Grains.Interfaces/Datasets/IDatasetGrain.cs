using Orleans.Concurrency;

namespace Dspy.Grains;

/// <summary>
/// A dataset (key: dataset id): examples by id, registered once by the client and read by the shard grains, so
/// evaluation messages carry example ids instead of examples. Persisted; a large dataset in Azure mode is stored as
/// shards in blob storage. Reads interleave with each other (never with <see cref="AddAsync"/>).
/// </summary>
[Alias("dspy.IDatasetGrain")]
public interface IDatasetGrain : IGrainWithStringKey
{
    /// <summary>Adds examples (already present ids are kept as they are); returns how many the dataset holds.</summary>
    [Alias("Add")]
    Task<int> AddAsync(IReadOnlyList<DatasetExample> examples);

    /// <summary>The examples with these ids, in the order asked.</summary>
    /// <exception cref="KeyNotFoundException">An id is not in the dataset.</exception>
    [Alias("Get"), ReadOnly]
    Task<IReadOnlyList<DatasetExample>> GetAsync(IReadOnlyList<string> ids);

    /// <summary>Which of these ids the dataset lacks.</summary>
    [Alias("Missing"), ReadOnly]
    Task<IReadOnlyList<string>> MissingAsync(IReadOnlyList<string> ids);

    /// <summary>The number of examples.</summary>
    [Alias("Count"), ReadOnly]
    Task<int> CountAsync();

    /// <summary>Where the examples are stored (in the grain's state, or in shard blobs).</summary>
    [Alias("GetStorageInfo"), ReadOnly]
    Task<DatasetStorageInfo> GetStorageInfoAsync();
}
