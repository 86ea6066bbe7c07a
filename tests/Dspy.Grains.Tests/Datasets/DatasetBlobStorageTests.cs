using Azure.Data.Tables;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Datasets;

/// <summary>
/// Datasets larger than a table entity can hold, in Azure mode (Azurite): the examples go to shard blobs and the grain
/// state keeps only their names, across cluster restarts; an unreadable shard only makes its examples missing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DatasetBlobStorageTests(AzuriteFixture azurite)
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    private string StateTable => "DspyDatasets" + _suffix;

    private string Container => "dspy-datasets-" + _suffix;

    private async Task<InProcessTestCluster> StartClusterAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ServiceId = "dspy-datasets-" + _suffix;
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.Store = GrainStateStore.AzureTable;
            o.AzureStorageConnectionString = azurite.ConnectionString;
            o.GrainStateTable = StateTable;
            o.BlobContainer = Container;
            o.LmCache = false;
        }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static List<DatasetExample> Examples(int count, int textLength = 0) => Enumerable.Range(0, count)
        .Select(i => DatasetExample.From(new Example(new Dictionary<string, object?>
        {
            ["question"] = $"What is {i} plus {i}? " + new string('x', textLength) + " «ünïcode» \"quoted\"",
            ["answer"] = (2 * i).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).WithInputs("question")))
        .ToList();

    // The bytes of the dataset grain's state row (Orleans splits state into binary Data, Data1.. properties).
    private async Task<long> StateRowBytesAsync(string datasetId)
    {
        var rows = await new TableServiceClient(azurite.ConnectionString).GetTableClient(StateTable).QueryAsync<TableEntity>().ToListAsync();
        var row = Assert.Single(rows, r => r.PartitionKey.Contains("dspy-dataset", StringComparison.Ordinal) && r.PartitionKey.EndsWith(datasetId, StringComparison.Ordinal));
        return row.Where(kv => kv.Key.StartsWith("Data", StringComparison.Ordinal) || kv.Key.StartsWith("StringData", StringComparison.Ordinal))
            .Sum(kv => kv.Value switch { byte[] b => b.Length, BinaryData d => d.ToMemory().Length, string s => 2L * s.Length, _ => 0 });
    }

    [Fact]
    public async Task A_50000_example_dataset_lives_in_shard_blobs_survives_a_restart_and_recovers_from_a_damaged_shard()
    {
        var examples = Examples(50_000);
        Assert.True(examples.Sum(e => (long)e.Json.Length) > 2 * 1024 * 1024, "the dataset must be larger than a table entity can hold");
        var sample = examples.Where((_, i) => i % 997 == 0).ToList();
        DatasetStorageInfo info;
        await using (var first = await StartClusterAsync())
        {
            var dataset = first.Client.GetGrain<IDatasetGrain>("big");
            Assert.Equal(50_000, await dataset.AddAsync(examples));
            info = await dataset.GetStorageInfoAsync();
            Assert.Equal(256, info.ShardBlobs.Count);
            Assert.Equal(sample, await dataset.GetAsync(sample.Select(e => e.Id).ToList()));
            Assert.Equal(50_000, await dataset.AddAsync(examples.Take(100).ToList())); // nothing new: no shard rewritten
            Assert.Equal(info.ShardBlobs, (await dataset.GetStorageInfoAsync()).ShardBlobs);
        }
        Assert.True(await StateRowBytesAsync("big") < 64 * 1024, "the state keeps shard names, not examples");

        // Damage one shard while the cluster is down.
        var blobs = new BlobPayloadStore(azurite.ConnectionString, Container);
        var damaged = info.ShardBlobs[0];
        await blobs.UploadAsync(damaged, BinaryData.FromString("{\"not\": \"an example\"}"));
        var bucket = Path.GetFileName(damaged)[..2];
        var lost = examples.Where(e => e.Id.StartsWith(bucket, StringComparison.Ordinal)).Select(e => e.Id).ToHashSet();

        await using var second = await StartClusterAsync();
        var again = second.Client.GetGrain<IDatasetGrain>("big");
        Assert.Equal(50_000, await again.CountAsync());
        var undamaged = sample.Where(e => !lost.Contains(e.Id)).ToList();
        Assert.Equal(undamaged, await again.GetAsync(undamaged.Select(e => e.Id).ToList()));
        var missing = await again.MissingAsync(examples.Select(e => e.Id).ToList());
        Assert.Equal(lost.Order(StringComparer.Ordinal), missing.Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => again.GetAsync([lost.First()]));

        // Registering the examples again (what evaluators do on a missing input) rebuilds the shard.
        Assert.Equal(50_000, await again.AddAsync(examples));
        Assert.Empty(await again.MissingAsync(examples.Select(e => e.Id).ToList()));
        Assert.Equal(sample, await again.GetAsync(sample.Select(e => e.Id).ToList()));
        // Shards are named after their content: the rebuilt shard has the damaged one's name, and the blob is whole again.
        Assert.Equal(info.ShardBlobs, (await again.GetStorageInfoAsync()).ShardBlobs);
        Assert.Contains(lost.First(), (await blobs.DownloadAsync(damaged))!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_small_dataset_stays_in_grain_state_and_moves_to_shards_when_long_texts_make_it_large()
    {
        await using var cluster = await StartClusterAsync();
        var dataset = cluster.Client.GetGrain<IDatasetGrain>("long-texts");
        var small = Examples(20);
        await dataset.AddAsync(small);
        Assert.Empty((await dataset.GetStorageInfoAsync()).ShardBlobs);

        var longTexts = Examples(60, textLength: 40_000).Skip(20).ToList(); // 40 examples of ~40 KB: ~1.6 MB
        Assert.Equal(60, await dataset.AddAsync(longTexts));
        Assert.NotEmpty((await dataset.GetStorageInfoAsync()).ShardBlobs);
        var all = small.Concat(longTexts).ToList();
        Assert.Equal(all, await dataset.GetAsync(all.Select(e => e.Id).ToList()));
        Assert.Equal(all[45].ToExample().ToDictionary(), (await dataset.GetAsync([all[45].Id]))[0].ToExample().ToDictionary());
        Assert.True(await StateRowBytesAsync("long-texts") < 64 * 1024);

        // A new example rewrites only its own shard, under a new name, and the replaced blob is deleted.
        var before = (await dataset.GetStorageInfoAsync()).ShardBlobs;
        var buckets = before.Select(b => Path.GetFileName(b)[..2]).ToHashSet();
        var extra = Examples(2000).Skip(60).First(e => buckets.Contains(e.Id[..2]));
        Assert.Equal(61, await dataset.AddAsync([extra]));
        var after = (await dataset.GetStorageInfoAsync()).ShardBlobs;
        var replaced = Assert.Single(before.Except(after));
        Assert.Single(after.Except(before));
        Assert.Null(await new BlobPayloadStore(azurite.ConnectionString, Container).DownloadAsync(replaced));
        Assert.Equal(extra, (await dataset.GetAsync([extra.Id]))[0]);
    }
}
