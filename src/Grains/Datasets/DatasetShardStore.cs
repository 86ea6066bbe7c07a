using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>
/// A dataset's shards in blob storage, for one activation of its grain: examples are bucketed by the first two hex digits
/// of their id (256 shards at most), each shard is one JSON blob named after its content, and loaded shards stay in
/// memory (a name never changes content, so they never go stale).
/// </summary>
internal sealed partial class DatasetShardStore(BlobPayloadStore blobs, string datasetId, ILogger logger)
{
    private readonly Dictionary<string, Task<Dictionary<string, string>?>> _loads = new(StringComparer.Ordinal);

    /// <summary>The bucket of an example id.</summary>
    public static string BucketOf(string id) => id.Length >= 2 ? id[..2] : id;

    /// <summary>
    /// The examples of the shard stored as <paramref name="blob"/>, or null when the blob is missing or corrupted (its
    /// examples then count as missing, and registering them again writes a new shard). Storage errors propagate.
    /// </summary>
    public Task<Dictionary<string, string>?> LoadAsync(string blob, CancellationToken cancellationToken)
    {
        // Concurrent readers (read-only calls interleave) share one download.
        if (_loads.TryGetValue(blob, out var pending) && !pending.IsFaulted && !pending.IsCanceled) return pending;
        var load = DownloadAsync(blob, cancellationToken);
        _loads[blob] = load;
        return load;
    }

    /// <summary>Writes a shard holding <paramref name="examples"/> and returns its blob name.</summary>
    public async Task<string> SaveAsync(string bucket, Dictionary<string, string> examples, CancellationToken cancellationToken)
    {
        var sorted = new SortedDictionary<string, string>(examples, StringComparer.Ordinal);
        var name = await blobs.UploadNamedByContentAsync($"datasets/{Uri.EscapeDataString(datasetId)}/{bucket}",
            BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(sorted)), cancellationToken);
        _loads[name] = Task.FromResult<Dictionary<string, string>?>(new Dictionary<string, string>(examples, StringComparer.Ordinal));
        return name;
    }

    /// <summary>Deletes shards no longer referenced by the state; a failure only leaves an orphaned blob behind.</summary>
    public Task DeleteAsync(IEnumerable<string> names)
    {
        var list = names.ToList();
        foreach (var name in list) _loads.Remove(name);
        return blobs.DeleteOrphansAsync(list, logger, $"Dataset {datasetId}");
    }

    private async Task<Dictionary<string, string>?> DownloadAsync(string blob, CancellationToken cancellationToken)
    {
        var (content, problem) = await blobs.DownloadNamedByContentAsync(blob, cancellationToken);
        if (content is null)
        {
            ShardUnreadable(logger, datasetId, blob, problem!);
            return null;
        }
        Dictionary<string, string>? examples;
        try
        {
            examples = JsonSerializer.Deserialize<Dictionary<string, string>>(content.ToMemory().Span);
        }
        catch (JsonException e)
        {
            ShardUnreadable(logger, datasetId, blob, e.Message);
            return null;
        }
        // Ids are content hashes: a shard whose examples do not hash to their ids was altered.
        var bucket = Path.GetFileName(blob)[..2];
        if (examples is null || examples.Any(kv => kv.Value is null || DatasetExample.Hash(kv.Value) != kv.Key || BucketOf(kv.Key) != bucket))
        {
            ShardUnreadable(logger, datasetId, blob, "its examples do not match their ids");
            return null;
        }
        return new Dictionary<string, string>(examples, StringComparer.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dataset {DatasetId}: shard {Blob} cannot be read ({Reason}); its examples count as missing until registered again.")]
    private static partial void ShardUnreadable(ILogger logger, string datasetId, string blob, string reason);
}
