using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.AI;

namespace Dspy.Grains.Tests.Caching;

/// <summary>
/// <see cref="AzureLmCacheStore"/> against Azurite: what it writes where, and that missing, corrupted or unreachable
/// entries are misses that never fail an LM call.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureLmCacheStoreTests(AzuriteFixture azurite)
{
    private readonly string _table = "DspyLmCacheTest" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _container = "dspy-cache-test-" + Guid.NewGuid().ToString("N")[..8];

    private AzureLmCacheStore NewStore() => new(TableClient, new BlobPayloadStore(azurite.ConnectionString, _container));

    private TableClient TableClient => new TableServiceClient(azurite.ConnectionString).GetTableClient(_table);

    private LM NewLm(CountingClient provider) => new("openai/test", provider) { CacheStore = new Cache(NewStore()) };

    [Fact]
    public async Task Small_entries_live_in_the_entity_and_large_ones_in_a_blob_and_both_round_trip()
    {
        var small = new string('s', AzureLmCacheStore.MaxInlineChars);
        var large = string.Concat(Enumerable.Repeat("é\"large\" ", 20_000)); // non-ASCII and quotes survive the blob
        await NewStore().PutAsync("small-key", small);
        await NewStore().PutAsync("large-key", large);

        Assert.Equal(small, await NewStore().GetAsync("small-key"));
        Assert.Equal(large, await NewStore().GetAsync("large-key"));
        Assert.Null(await NewStore().GetAsync("absent-key"));
        var entities = await TableClient.QueryAsync<TableEntity>().ToListAsync();
        Assert.Equal(small, entities.Single(e => e.RowKey == "small-key").GetString("Entry"));
        Assert.Equal(AzureLmCacheStore.BlobNameOf("large-key"), entities.Single(e => e.RowKey == "large-key").GetString("Blob"));

        // An entry that shrinks moves back into the entity, leaving no blob reference behind.
        await NewStore().PutAsync("large-key", "now small");
        Assert.Equal("now small", await NewStore().GetAsync("large-key"));
        Assert.Null((await TableClient.GetEntityAsync<TableEntity>("la", "large-key")).Value.GetString("Blob"));
    }

    [Fact]
    public async Task Keys_that_are_not_valid_table_keys_are_hashed()
    {
        await NewStore().PutAsync("a/b#c?d", "x");
        Assert.Equal("x", await NewStore().GetAsync("a/b#c?d"));
        Assert.Null(await NewStore().GetAsync("a_b_c_d"));
    }

    [Fact]
    public async Task Corrupted_and_missing_entries_are_misses_and_the_next_response_replaces_them()
    {
        var provider = new CountingClient();
        await NewLm(provider).CallAsync("short question");
        await NewLm(provider).CallAsync("long question");
        Assert.Equal(2, provider.Calls);
        var entities = await TableClient.QueryAsync<TableEntity>().ToListAsync();
        var inline = entities.Single(e => e.GetString("Entry") is not null);
        var blobbed = entities.Single(e => e.GetString("Blob") is not null);

        // Damage both: garbage in the entity, and the blob deleted.
        inline["Entry"] = "{\"outputs\": [";
        await TableClient.UpsertEntityAsync(inline, TableUpdateMode.Replace);
        await new BlobContainerClient(azurite.ConnectionString, _container).DeleteBlobAsync(blobbed.GetString("Blob"));

        var again = NewLm(provider);
        var shortAgain = await again.CallAsync("short question");
        var longAgain = await again.CallAsync("long question");
        Assert.False(shortAgain.CacheHit);
        Assert.False(longAgain.CacheHit);
        Assert.Equal(4, provider.Calls);

        // The new responses replaced the damaged entries: a third process hits both.
        var third = NewLm(provider);
        Assert.True((await third.CallAsync("short question")).CacheHit);
        Assert.True((await third.CallAsync("long question")).CacheHit);
        Assert.Equal(4, provider.Calls);

        // A blob overwritten with garbage is a miss too.
        await new BlobContainerClient(azurite.ConnectionString, _container).GetBlobClient(blobbed.GetString("Blob"))
            .UploadAsync(BinaryData.FromString("not json"), overwrite: true);
        Assert.False((await NewLm(provider).CallAsync("long question")).CacheHit);
        Assert.Equal(5, provider.Calls);
    }

    [Fact]
    public async Task Unreachable_storage_is_a_miss_and_never_fails_the_call()
    {
        // A port nobody listens on, and no retries, so the failure is immediate.
        var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        var tableOptions = new TableClientOptions();
        tableOptions.Retry.MaxRetries = 0;
        var blobOptions = new BlobClientOptions();
        blobOptions.Retry.MaxRetries = 0;
        var store = new AzureLmCacheStore(new TableServiceClient(connection, tableOptions).GetTableClient("Unreachable"),
            new BlobPayloadStore(new BlobServiceClient(connection, blobOptions).GetBlobContainerClient("unreachable")));
        var provider = new CountingClient();
        var lm = new LM("openai/test", provider) { CacheStore = new Cache(store, enableMemoryCache: false) };

        var first = await lm.CallAsync("short question");
        var second = await lm.CallAsync("short question");

        Assert.False(first.CacheHit);
        Assert.False(second.CacheHit);
        Assert.Equal(2, provider.Calls);
        await Assert.ThrowsAnyAsync<Exception>(async () => await store.GetAsync("k")); // the store itself does report the failure
    }

    /// <summary>A provider that counts calls; a prompt with "long" gets an answer too large for a table property.</summary>
    private sealed class CountingClient : IChatClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var n = Interlocked.Increment(ref _calls);
            var prompt = messages.Last().Text;
            var text = prompt.Contains("long", StringComparison.Ordinal) ? new string('L', 2 * AzureLmCacheStore.MaxInlineChars) + n : $"answer {n}";
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = ChatFinishReason.Stop });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
