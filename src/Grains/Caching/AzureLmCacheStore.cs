using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Dspy.Grains;

/// <summary>
/// The cluster-wide persistent level of the LM response cache: one Azure Table entity per DSPy cache key, shared by every
/// silo, so a response paid for on one silo is a hit on all of them. An entry too large for a table property is written
/// to a blob first and the entity then points at it, so a reader never sees an entity whose blob is not written yet.
/// </summary>
/// <remarks>
/// Reads of missing entries, of entities pointing at a missing blob, or of unknown entity shapes are misses (null);
/// storage errors propagate to <see cref="Cache"/>, which logs them and treats them as misses (a cache never stops a run).
/// </remarks>
public sealed class AzureLmCacheStore : ILMCacheStore
{
    /// <summary>
    /// The largest entry kept in the table entity itself, in characters: a string property holds 64 KiB of UTF-16
    /// (32,768 characters); the rest is left for the entity's other properties.
    /// </summary>
    public const int MaxInlineChars = 30_000;

    private const string EntryProperty = "Entry";
    private const string BlobProperty = "Blob";
    private const string BlobPrefix = "lm-cache/";

    private readonly TableClient _table;
    private readonly BlobPayloadStore _blobs;
    private readonly CreateOnce _create;

    /// <summary>Creates the store over <paramref name="table"/> (created on first use) and <paramref name="blobs"/>.</summary>
    public AzureLmCacheStore(TableClient table, BlobPayloadStore blobs)
    {
        _table = table ?? throw new ArgumentNullException(nameof(table));
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _create = new CreateOnce(async ct =>
        {
            try
            {
                await _table.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Another silo created it at the same moment.
            }
        });
    }

    /// <summary>The table's name.</summary>
    public string TableName => _table.Name;

    /// <summary>The name of the blob that holds a large entry for <paramref name="key"/>.</summary>
    public static string BlobNameOf(string key) => BlobPrefix + RowKeyOf(key) + ".json";

    /// <inheritdoc/>
    public async ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var rowKey = RowKeyOf(key);
        await EnsureTableAsync(cancellationToken);
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKeyOf(rowKey), rowKey, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value is not { } entity) return null;
        if (entity.GetString(EntryProperty) is { } inline) return inline;
        if (entity.GetString(BlobProperty) is not { Length: > 0 } blob) return null;
        var content = await _blobs.DownloadAsync(blob, cancellationToken);
        return content?.ToString();
    }

    /// <inheritdoc/>
    public async ValueTask PutAsync(string key, string entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var rowKey = RowKeyOf(key);
        await EnsureTableAsync(cancellationToken);
        var entity = new TableEntity(PartitionKeyOf(rowKey), rowKey);
        if (entry.Length <= MaxInlineChars)
        {
            entity[EntryProperty] = entry;
        }
        else
        {
            var blob = BlobNameOf(key);
            await _blobs.UploadAsync(blob, BinaryData.FromString(entry), cancellationToken);
            entity[BlobProperty] = blob;
        }
        // Replace, not merge: an entry that moved between the entity and a blob must not keep its old property.
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    // DSPy's keys are 64 hex digits and are used as they are; any other key (a library user's own) is hashed, because
    // table keys may not contain '/', '\\', '#', '?' or control characters.
    private static string RowKeyOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key.Length <= 256 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? key
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    // 256 partitions by the key's first two characters (hex digits for DSPy's keys), so the load spreads over partitions.
    private static string PartitionKeyOf(string rowKey) => rowKey.Length >= 2 ? rowKey[..2] : rowKey;

    private Task EnsureTableAsync(CancellationToken cancellationToken) => _create.EnsureAsync(cancellationToken);
}
