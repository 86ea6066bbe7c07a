using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>
/// The dataset grain (see <see cref="IDatasetGrain"/>): examples by id in persisted state, or, in Azure mode once the
/// examples outgrow <see cref="DspyGrainsOptions.DatasetInlineLimitBytes"/>, in shards in blob storage with only the
/// shards' blob names in the state (a table entity holds at most 960 KiB of state).
/// </summary>
[GrainType("dspy-dataset")]
public sealed class DatasetGrain(
    [PersistentState("examples", GrainStorageNames.Runs)] IPersistentState<DatasetState> state,
    DspyGrainsOptions options,
    IServiceProvider services,
    ILogger<DatasetGrain> logger)
    : Grain, IDatasetGrain
{
    // Registered in Azure mode only: in memory mode the examples always stay in the state.
    private readonly BlobPayloadStore? _blobs = services.GetService<BlobPayloadStore>();
    private DatasetShardStore? _shardStore;

    private DatasetShardStore? ShardStore => _blobs is null ? null : _shardStore ??= new DatasetShardStore(_blobs, this.GetPrimaryKeyString(), logger);

    /// <inheritdoc/>
    public async Task<int> AddAsync(IReadOnlyList<DatasetExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        foreach (var e in examples)
        {
            if (DatasetExample.Hash(e.Json) != e.Id) throw new ArgumentException($"Example id {e.Id} is not the hash of its JSON.", nameof(examples));
        }
        if (state.State.Shards is null)
        {
            var added = false;
            foreach (var e in examples) added |= state.State.Examples.TryAdd(e.Id, e.Json);
            if (ShardStore is { } store && InlineBytes() > options.DatasetInlineLimitBytes)
            {
                await MoveToShardsAsync(store);
            }
            else if (added)
            {
                await state.WriteStateAsync();
            }
        }
        else
        {
            await AddToShardsAsync(RequireShardStore(), examples);
        }
        return state.State.Count;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<DatasetExample>> GetAsync(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var lookup = await LookupAsync(ids);
        var found = new List<DatasetExample>(ids.Count);
        foreach (var id in ids)
        {
            if (!lookup.TryGetValue(id, out var json))
            {
                throw new KeyNotFoundException($"Dataset '{this.GetPrimaryKeyString()}' has no example {id}; register examples before evaluating them.");
            }
            found.Add(new DatasetExample(id, json));
        }
        return found;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> MissingAsync(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var lookup = await LookupAsync(ids);
        return ids.Where(id => !lookup.ContainsKey(id)).Distinct().ToList();
    }

    /// <inheritdoc/>
    public Task<int> CountAsync() => Task.FromResult(state.State.Count);

    /// <inheritdoc/>
    public Task<DatasetStorageInfo> GetStorageInfoAsync() => Task.FromResult(new DatasetStorageInfo(
        state.State.Count, state.State.Shards?.Values.Select(s => s.Blob).Order(StringComparer.Ordinal).ToList() ?? []));

    // The examples asked for that the dataset has, by id (inline, or from the shards their ids fall in).
    private async Task<IReadOnlyDictionary<string, string>> LookupAsync(IReadOnlyList<string> ids)
    {
        if (state.State.Shards is not { } refs) return state.State.Examples;
        var buckets = ids.Select(DatasetShardStore.BucketOf).Distinct(StringComparer.Ordinal).Where(refs.ContainsKey).ToList();
        var loaded = await Task.WhenAll(buckets.Select(b => RequireShardStore().LoadAsync(refs[b].Blob, CancellationToken.None)));
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var shard in loaded)
        {
            if (shard is null) continue;
            foreach (var id in ids)
            {
                if (shard.TryGetValue(id, out var json)) found[id] = json;
            }
        }
        return found;
    }

    private async Task MoveToShardsAsync(DatasetShardStore store)
    {
        var byBucket = state.State.Examples.GroupBy(kv => DatasetShardStore.BucketOf(kv.Key), StringComparer.Ordinal).ToList();
        var names = await Task.WhenAll(byBucket.Select(g => store.SaveAsync(g.Key, g.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), CancellationToken.None)));
        var inline = state.State.Examples;
        state.State.Shards = byBucket.Select((g, i) => (g.Key, Ref: new DatasetShardRef { Blob = names[i], Count = g.Count() }))
            .ToDictionary(p => p.Key, p => p.Ref, StringComparer.Ordinal);
        state.State.Examples = new(StringComparer.Ordinal);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Keep the state as stored (inline); the blobs just written are orphans.
            state.State.Shards = null;
            state.State.Examples = inline;
            throw;
        }
    }

    private async Task AddToShardsAsync(DatasetShardStore store, IReadOnlyList<DatasetExample> examples)
    {
        var refs = state.State.Shards!;
        var changes = await Task.WhenAll(examples.GroupBy(e => DatasetShardStore.BucketOf(e.Id), StringComparer.Ordinal).Select(async group =>
        {
            var current = refs.TryGetValue(group.Key, out var existing) ? await store.LoadAsync(existing.Blob, CancellationToken.None) : null;
            // A shard that cannot be read is rebuilt from what is registered now (its lost examples stay missing).
            var merged = current is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(current, StringComparer.Ordinal);
            var added = false;
            foreach (var e in group) added |= merged.TryAdd(e.Id, e.Json);
            if (!added && current is not null) return null;
            var blob = await store.SaveAsync(group.Key, merged, CancellationToken.None);
            return new { Bucket = group.Key, Old = existing?.Blob, Ref = new DatasetShardRef { Blob = blob, Count = merged.Count } };
        }));
        var applied = changes.Where(c => c is not null).Select(c => c!).ToList();
        if (applied.Count == 0) return;
        var next = new Dictionary<string, DatasetShardRef>(refs, StringComparer.Ordinal);
        foreach (var c in applied) next[c.Bucket] = c.Ref;
        state.State.Shards = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Shards = refs;
            throw;
        }
        // Only once the state no longer names them.
        await store.DeleteAsync(applied.Where(c => c.Old is not null && c.Old != c.Ref.Blob).Select(c => c.Old!));
    }

    private DatasetShardStore RequireShardStore() => ShardStore ?? throw new InvalidOperationException(
        $"Dataset '{this.GetPrimaryKeyString()}' is stored in blob shards, but this silo has no blob storage: run it in Azure mode (Dspy:Grains:Store = AzureTable).");

    // The size of the examples as the storage serializer writes them (System.Text.Json escapes quotes and non-ASCII).
    private int InlineBytes() => JsonSerializer.SerializeToUtf8Bytes(state.State.Examples).Length;
}
