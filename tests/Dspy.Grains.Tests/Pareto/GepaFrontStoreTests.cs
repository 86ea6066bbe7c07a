using System.Text.Json;
using Dspy.Grains.Tests.Determinism;

namespace Dspy.Grains.Tests.Pareto;

/// <summary>GEPA's front kept in the run's Pareto-front grain: stored exactly, resumed from, refused when it does not fit.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GepaFrontStoreTests(ClusterFixture fixture)
{
    // Cancels the run once it has saved a given number of checkpoints, as a silo failure after that round would stop it.
    private sealed class InterruptingStore(IGepaFrontStore inner, int stopAfter, CancellationTokenSource cancel) : IGepaFrontStore
    {
        public int Saves { get; private set; }

        public Task<GepaCheckpoint?> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

        public async Task SaveAsync(GepaCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            await inner.SaveAsync(checkpoint, cancellationToken);
            if (++Saves == stopAfter) await cancel.CancelAsync();
        }
    }

    private static string Json(GepaCheckpoint checkpoint) => JsonSerializer.Serialize(checkpoint);

    private static async Task<GepaCheckpoint> InProcessCheckpointAsync()
    {
        var store = new InMemoryGepaFrontStore();
        await OptimizerRuns.RunAsync(OptimizerRuns.Gepa(store), OptimizerRuns.GepaTrain, OptimizerRuns.GepaVal, cluster: null, "unused");
        return store.Checkpoint!;
    }

    [Fact]
    public async Task A_checkpoint_comes_back_from_the_grain_and_its_storage_serializer_exactly_as_saved()
    {
        var checkpoint = await InProcessCheckpointAsync();
        Assert.True(checkpoint.Front.Candidates.Count > 1, "GEPA found no candidate beyond the student");

        var store = ParetoFrontGrainStore.For(fixture.Grains, "gepa-roundtrip");
        Assert.Null(await store.LoadAsync(CancellationToken.None));
        await store.SaveAsync(checkpoint, CancellationToken.None);
        await fixture.Cluster.DeactivateAsync(fixture.Grains.GetGrain<IParetoFrontGrain>("gepa-roundtrip"));
        var loaded = await store.LoadAsync(CancellationToken.None);
        Assert.Equal(Json(checkpoint), Json(loaded!));

        // The grain state as the silo's storage serializer writes it (Azure Table in production), read back.
        var serializer = new JsonGrainStorageSerializer();
        var state = new ParetoState { Gepa = GepaFrontRecords.From(checkpoint) };
        var stored = serializer.Serialize(state);
        var back = serializer.Deserialize<ParetoState>(stored);
        Assert.Equal(Json(checkpoint), Json(GepaFrontRecords.ToCheckpoint(back.Gepa!)));
        // Compact: no per-example dictionaries, just the candidates' score lists.
        Assert.True(stored.ToMemory().Length < 4096 + checkpoint.Front.Candidates.Sum(c => c.Instructions.Values.Sum(v => v.Length) * 2),
            $"{stored.ToMemory().Length} bytes stored");
    }

    [Fact]
    public async Task A_gepa_run_on_the_cluster_stopped_after_a_round_resumes_from_the_grain_to_the_uninterrupted_program()
    {
        var expected = await OptimizerRuns.RunAsync(OptimizerRuns.Gepa(), OptimizerRuns.GepaTrain, OptimizerRuns.GepaVal, cluster: null, "unused");

        using var cancel = new CancellationTokenSource();
        var interrupting = new InterruptingStore(ParetoFrontGrainStore.For(fixture.Grains, "gepa-resume"), stopAfter: 3, cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OptimizerRuns.RunAsync(OptimizerRuns.Gepa(interrupting),
            OptimizerRuns.GepaTrain, OptimizerRuns.GepaVal, fixture.Grains, "gepa-resume", cancellationToken: cancel.Token));
        var grain = fixture.Grains.GetGrain<IParetoFrontGrain>("gepa-resume");
        Assert.Equal(2, (await grain.GetGepaAsync())!.Round);
        await fixture.Cluster.DeactivateAsync(grain);

        var events = new List<OptimizerEvent>();
        var resumed = await OptimizerRuns.RunAsync(OptimizerRuns.Gepa(ParetoFrontGrainStore.For(fixture.Grains, "gepa-resume")),
            OptimizerRuns.GepaTrain, OptimizerRuns.GepaVal, fixture.Grains, "gepa-resume", new Progress(events));

        Assert.Equal(expected, resumed);
        Assert.Contains(events, e => e.Message?.StartsWith("resumed after round 2", StringComparison.Ordinal) == true);
        Assert.True((await grain.GetGepaAsync())!.Round > 2);
    }

    [Fact]
    public async Task The_grain_refuses_an_inconsistent_checkpoint_and_one_of_another_configuration()
    {
        var record = GepaFrontRecords.From(await InProcessCheckpointAsync());
        var grain = fixture.Grains.GetGrain<IParetoFrontGrain>("gepa-refuse");
        await grain.SaveGepaAsync(record);

        var shortScores = record with { Candidates = [record.Candidates[0], record.Candidates[^1] with { ValScores = [1.0] }] , NextComponent = [0, 0] };
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => grain.SaveGepaAsync(shortScores));
        Assert.Contains("has 1 validation scores", bad.Message, StringComparison.Ordinal);
        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.SaveGepaAsync(record with { RunKey = "another" }));
        Assert.Contains("another configuration", other.Message, StringComparison.Ordinal);
        Assert.Equal(record, await grain.GetGepaAsync(), GepaRecordComparer.Instance);
    }

    [Fact]
    public void Attach_gives_gepa_the_runs_grain_store_and_leaves_other_optimizers_alone()
    {
        var attached = Assert.IsType<Gepa>(ParetoFrontGrainStore.Attach(OptimizerRuns.Gepa(), fixture.Grains, "gepa-attach"));
        Assert.IsType<ParetoFrontGrainStore>(attached.Options.FrontStore);
        var own = new InMemoryGepaFrontStore();
        Assert.Same(own, Assert.IsType<Gepa>(ParetoFrontGrainStore.Attach(OptimizerRuns.Gepa(own), fixture.Grains, "gepa-attach")).Options.FrontStore);
        var other = new LabeledFewShot(4);
        Assert.Same(other, ParetoFrontGrainStore.Attach(other, fixture.Grains, "gepa-attach"));
        Assert.Throws<ArgumentException>(() => ParetoFrontGrainStore.For(fixture.Grains, "bad/id"));
    }

    private sealed class Progress(List<OptimizerEvent> events) : IProgress<OptimizerEvent>
    {
        public void Report(OptimizerEvent value)
        {
            lock (events) events.Add(value);
        }
    }
}
