namespace Dspy.Tests.Optimizers.Gepa;

// The front store seam (saved after every round, resumed from) and the Pareto-update progress events.
public sealed partial class GepaTests
{
    // Cancels the run once it has saved a given number of checkpoints, as a crash after that round would.
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

    private sealed class ListProgress : IProgress<OptimizerEvent>
    {
        public List<OptimizerEvent> Events { get; } = [];

        public void Report(OptimizerEvent value)
        {
            lock (Events) Events.Add(value);
        }
    }

    private static GepaOptions MergingOptions(IGepaFrontStore? store, int parallelism) => new()
    {
        Metric = Metrics.Get("exact_match"), MaxMetricCalls = 300, ReflectionLm = ReplacingReflectionLM(), ProposalParallelism = parallelism, Seed = 3,
        FrontStore = store,
    };

    private static string Fingerprint(GepaResult result) =>
        PythonJson.Dumps(result.Program.DumpState()) + "\n" + System.Text.Json.JsonSerializer.Serialize(result.Front) + "\n" + result.TotalMetricCalls;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_run_interrupted_after_any_round_resumes_from_its_store_to_the_same_result(int parallelism)
    {
        using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
        var reference = new InMemoryGepaFrontStore();
        var expected = await new Dspy.Gepa(MergingOptions(reference, parallelism)).OptimizeAsync(new Either(), Data(12));
        var rounds = reference.Saves;
        Assert.True(rounds > 4, $"only {rounds} checkpoints");
        Assert.Contains(expected.Front.Candidates, c => c.Origin == "merge");
        Assert.Equal(expected.TotalMetricCalls, reference.Checkpoint!.TotalMetricCalls);

        foreach (var stopAfter in new[] { 1, 2, rounds / 2, rounds - 1 })
        {
            var store = new InMemoryGepaFrontStore();
            using var cancel = new CancellationTokenSource();
            var interrupting = new InterruptingStore(store, stopAfter, cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new Dspy.Gepa(MergingOptions(interrupting, parallelism)).OptimizeAsync(new Either(), Data(12), cancellationToken: cancel.Token));
            Assert.Equal(stopAfter - 1, store.Checkpoint!.Round);

            var resumed = await new Dspy.Gepa(MergingOptions(store, parallelism)).OptimizeAsync(new Either(), Data(12));
            Assert.Equal(Fingerprint(expected), Fingerprint(resumed));
            // The interrupted run saved stopAfter checkpoints; the resumed one only the rounds that were left.
            Assert.Equal(rounds, store.Saves);
        }
    }

    [Fact]
    public async Task A_checkpoint_of_another_configuration_is_refused()
    {
        using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
        var store = new InMemoryGepaFrontStore();
        await new Dspy.Gepa(MergingOptions(store, 1) with { MaxMetricCalls = 40 }).OptimizeAsync(new Either(), Data(12));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new Dspy.Gepa(MergingOptions(store, 1) with { Seed = 4, MaxMetricCalls = 40 }).OptimizeAsync(new Either(), Data(12)));
        Assert.Contains("checkpoint of another run", ex.Message, StringComparison.Ordinal);
        // Other examples of the same count are another run too.
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new Dspy.Gepa(MergingOptions(store, 1) with { MaxMetricCalls = 40 }).OptimizeAsync(new Either(), Data(12, 1)));
        // The same configuration and data finds its checkpoint and returns at once with the same calls counted.
        var again = await new Dspy.Gepa(MergingOptions(store, 1) with { MaxMetricCalls = 40 }).OptimizeAsync(new Either(), Data(12));
        Assert.Equal(store.Checkpoint!.TotalMetricCalls, again.TotalMetricCalls);
    }

    [Fact]
    public async Task Pareto_updates_are_reported_after_the_seed_and_after_each_round_that_changed_the_front()
    {
        using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
        var progress = new ListProgress();
        var store = new InMemoryGepaFrontStore();
        var result = await new Dspy.Gepa(MergingOptions(store, 2) with { TrackStats = true })
            .OptimizeAsync(new Either(), Data(12), new CompileOptions { Progress = progress });

        var updates = progress.Events.Where(e => e.Kind == OptimizerEventKind.ParetoUpdated).ToList();
        Assert.True(updates.Count >= 2, $"{updates.Count} Pareto updates");
        Assert.True(updates.Count <= store.Saves, "at most one update per checkpoint (seed and rounds)");
        // The first one is the seed's front: candidate 0, best on every example.
        Assert.Equal(new Dictionary<int, int> { [0] = 12 }, updates[0].ParetoCoverage);
        Assert.Contains("round 0", updates[0].Message, StringComparison.Ordinal);
        // Consecutive updates differ (no event for a round that left the front as it was).
        for (var k = 1; k < updates.Count; k++)
        {
            Assert.NotEqual(string.Join(",", updates[k - 1].ParetoCoverage!), string.Join(",", updates[k].ParetoCoverage!));
        }
        // The last one is the final front.
        var details = result.DetailedResults!;
        var coverage = new SortedDictionary<int, int>();
        foreach (var programs in details.PerValInstanceBestCandidates)
        {
            foreach (var p in programs) coverage[p] = coverage.GetValueOrDefault(p) + 1;
        }
        Assert.Equal(coverage, updates[^1].ParetoCoverage);
        Assert.Equal(details.HighestScoreAchievedPerValTask.Average(), updates[^1].Score);
        Assert.Equal(result.BestScore, updates[^1].BestScore);
        // Reported before the run finished.
        Assert.True(progress.Events.IndexOf(updates[^1]) < progress.Events.FindIndex(e => e.Kind == OptimizerEventKind.Finished));
    }
}
