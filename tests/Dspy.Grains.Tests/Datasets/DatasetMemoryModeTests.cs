namespace Dspy.Grains.Tests.Datasets;

/// <summary>In memory mode (no blob storage), a dataset of any size keeps its examples in grain state, as before.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DatasetMemoryModeTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_large_dataset_stays_in_grain_state_in_memory_mode()
    {
        var examples = Enumerable.Range(0, 3000)
            .Select(i => DatasetExample.From(new Example(new Dictionary<string, object?> { ["question"] = $"q{i} " + new string('y', 200), ["answer"] = $"a{i}" })))
            .ToList();
        var dataset = fixture.Grains.GetGrain<IDatasetGrain>("memory-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(3000, await dataset.AddAsync(examples));

        var info = await dataset.GetStorageInfoAsync();
        Assert.Equal(3000, info.Count);
        Assert.Empty(info.ShardBlobs);
        Assert.Equal(examples[1234], (await dataset.GetAsync([examples[1234].Id]))[0]);
        Assert.Equal(["absent"], await dataset.MissingAsync([examples[0].Id, "absent"]));
    }
}
