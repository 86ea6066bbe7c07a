using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Storage;

/// <summary>
/// In-process test clusters in Azure mode on Azurite with their own state table and blob container (so one test's clusters,
/// started one after another, share their storage), the sim LM uncached, and a count of the cells each silo evaluates.
/// </summary>
internal sealed class AzureStateCluster(AzuriteFixture azurite, string name)
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    public string Table => "Dspy" + name + _suffix;

    public string Container => "dspy-" + name.ToLowerInvariant() + "-" + _suffix;

    /// <summary>Cells evaluated (shard key | example id) by any cluster started here, with how often.</summary>
    public ConcurrentDictionary<string, int> Evaluated { get; } = new(StringComparer.Ordinal);

    public BlobPayloadStore Blobs => new(azurite.ConnectionString, Container);

    /// <summary>Starts a cluster; <paramref name="inlineLimit"/> null keeps the default <c>StateInlineLimitBytes</c>.</summary>
    public async Task<InProcessTestCluster> StartAsync(int? inlineLimit = null, TimeSpan? latency = null)
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ServiceId = "dspy-" + name.ToLowerInvariant() + "-" + _suffix;
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.Store = GrainStateStore.AzureTable;
            o.AzureStorageConnectionString = azurite.ConnectionString;
            o.GrainStateTable = Table;
            o.BlobContainer = Container;
            if (inlineLimit is { } limit) o.StateInlineLimitBytes = limit;
            o.ResumeReminderPeriod = TimeSpan.FromSeconds(2);
            o.Lm = new LM("sim", new SimChatClient(new SimOptions { Latency = latency ?? TimeSpan.Zero }), cache: false);
        }).WatchCells(id => Evaluated.AddOrUpdate(id, 1, (_, n) => n + 1)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Stops every silo at once (a whole-cluster failure: nothing gets to deactivate cleanly).</summary>
    public static async Task KillAsync(InProcessTestCluster cluster)
    {
        await Task.WhenAll(cluster.GetActiveSilos().ToList().Select(cluster.KillSiloAsync));
        await cluster.DisposeAsync();
    }

    /// <summary>Every stored entity, largest first.</summary>
    public Task<List<TableEntitySize>> EntitiesAsync() => TableEntitySize.MeasureAsync(azurite.ConnectionString, Table);

    /// <summary>The stored state JSON by partition key / row key.</summary>
    public Task<Dictionary<string, string>> StatesAsync() => StoredGrainStates.ReadAsync(azurite.ConnectionString, Table);

    /// <summary>The stored state <paramref name="stateName"/> of the grain <paramref name="grainType"/>/<paramref name="key"/>.</summary>
    public async Task<T> StateAsync<T>(string grainType, string key, string stateName)
    {
        var json = Assert.Single(await StatesAsync(), kv => kv.Key.EndsWith($"_{grainType}_{key}/{stateName}", StringComparison.Ordinal)).Value;
        return System.Text.Json.JsonSerializer.Deserialize<T>(json)!;
    }

    /// <summary>Asserts every blob a stored state names is there with its content; returns the names.</summary>
    public Task<List<string>> AssertNamedBlobsExistAsync() => StoredGrainStates.AssertNamedBlobsExistAsync(azurite.ConnectionString, Table, Container);

    /// <summary>A text of about <paramref name="length"/> characters, different for each index.</summary>
    public static string LongText(int index, int length)
    {
        var words = new[] { "account", "balance", "card", "flight", "hotel", "transfer", "bill", "luggage", "seat", "visa" };
        var text = new System.Text.StringBuilder($"request {index.ToString(CultureInfo.InvariantCulture)}:");
        for (var i = 0; text.Length < length; i++) text.Append(' ').Append(words[(index + i * 7) % words.Length]);
        return text.ToString();
    }

    private static readonly string[] s_labels = ["check_balance", "transfer_money", "pay_bill", "book_flight", "book_hotel", "lost_luggage"];

    /// <summary>An example of the intent task.</summary>
    public static Example Intent(string text, int index) =>
        new Example(new Dictionary<string, object?> { ["text"] = text, ["label"] = s_labels[index % s_labels.Length] }).WithInputs("text");

    /// <summary>A consistent GEPA checkpoint of <paramref name="candidates"/> candidates scored on <paramref name="valset"/> examples.</summary>
    public static GepaFrontRecord GepaRecord(int candidates, int valset, int round) => new()
    {
        RunKey = "gepa-large",
        ComponentNames = ["predict"],
        Candidates = Enumerable.Range(0, candidates).Select(k => new GepaCandidateRecord
        {
            Instructions = [LongText(k, 2048)],
            Parents = k == 0 ? [] : [k - 1],
            ValScores = Enumerable.Range(0, valset).Select(i => ((i * 31 + k) % 97) / 97.0).ToList(),
            DiscoveryEvalCount = k * 10,
            Origin = k == 0 ? "seed" : "reflective",
        }).ToList(),
        NextComponent = Enumerable.Repeat(0, candidates).ToList(),
        Round = round,
        Iteration = round,
        TotalMetricCalls = 1000,
        NumFullValEvals = candidates,
        MergesDue = 0,
        TotalMergesTested = 0,
        LastIterFoundNewProgram = true,
        Stopped = false,
        SamplerEpoch = 0,
        SamplerShuffles = 0,
        MergedTriples = [],
        MergedDescriptions = [],
    };
}
