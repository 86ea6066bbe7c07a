using Azure.Data.Tables;
using Dspy.Cli;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Caching;

/// <summary>
/// The cluster-wide LM response cache in Azure mode (Azurite): the silos' LMs share one table (large entries in blobs),
/// in front of the endpoint's rate limiter.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClusterLmCacheTests(AzuriteFixture azurite)
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_response_paid_for_on_one_silo_is_a_hit_on_another_without_a_provider_call_or_a_permit()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new LongAnswerChatClient());
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ServiceId = "dspy-cache-" + _suffix;
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.Store = GrainStateStore.AzureTable;
            o.AzureStorageConnectionString = azurite.ConnectionString;
            o.GrainStateTable = "DspyCacheState" + _suffix;
            o.LmCacheTable = "DspyLmCache" + _suffix;
            o.BlobContainer = "dspy-cache-" + _suffix;
            o.LmModel = "openai/sim";
            o.LmApiBase = server.ApiBase.ToString();
            o.LmApiKey = "sim-key";
            // One request per ten minutes for the whole cluster: a second provider call could not get a permit in time.
            o.LmRequestsPerWindow = 1;
            o.LmWindow = TimeSpan.FromMinutes(10);
        }));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var silos = cluster.GetActiveSilos().Select(s => (LM)cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>().Lm).ToList();
        Assert.NotSame(silos[0].CacheStore, silos[1].CacheStore); // each silo has its own memory level
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var paid = await silos[0].CallAsync("Which river flows through Paris? LONG", cancellationToken: deadline.Token);
        var hit = await silos[1].CallAsync("Which river flows through Paris? LONG", cancellationToken: deadline.Token);

        Assert.Equal(1, server.Stats.Served);
        Assert.False(paid.CacheHit);
        Assert.True(hit.CacheHit);
        Assert.Equal(LMUsage.Empty, hit.Usage);
        Assert.Equal(LongAnswerChatClient.LongAnswerLength, hit.Outputs[0].Text!.Length);
        Assert.Equal(paid.Outputs[0].Text, hit.Outputs[0].Text);

        // The entry was too large for a table property: the entity names a blob, which holds it.
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("DspyLmCache" + _suffix);
        var entity = Assert.Single(await table.QueryAsync<TableEntity>().ToListAsync());
        Assert.Null(entity.GetString("Entry"));
        Assert.Equal(AzureLmCacheStore.BlobNameOf(entity.RowKey), entity.GetString("Blob"));
        var blob = await new BlobPayloadStore(azurite.ConnectionString, "dspy-cache-" + _suffix).DownloadAsync(entity.GetString("Blob"));
        Assert.NotNull(blob);
        Assert.True(blob.ToMemory().Length > AzureLmCacheStore.MaxInlineChars);
        Assert.Equal(64, entity.RowKey.Length); // DSPy's cache key
    }

    /// <summary>The sim, except that a prompt containing "LONG" gets an answer too large for a table property.</summary>
    private sealed class LongAnswerChatClient : IChatClient
    {
        public const int LongAnswerLength = 120_000;

        private readonly SimChatClient _sim = new();

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            if (!list.Any(m => m.Text.Contains("LONG", StringComparison.Ordinal))) return await _sim.GetResponseAsync(list, options, cancellationToken);
            var text = string.Concat(Enumerable.Range(0, LongAnswerLength / 10).Select(i => $"{i % 100000,9} "));
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = ChatFinishReason.Stop, ModelId = "sim" };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => _sim.Dispose();
    }
}
