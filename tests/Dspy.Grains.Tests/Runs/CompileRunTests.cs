namespace Dspy.Grains.Tests.Runs;

[Collection(ClusterCollection.Name)]
public sealed class CompileRunTests(ClusterFixture fixture)
{
    internal static readonly ProgramSpec Intent = new("predict", Samples.Signature("intent"));

    internal static List<Example> Train => Samples.Load("intent", "train", 40, 200, "text");

    internal static List<Example> Val => Samples.Load("intent", "dev", 40, 300, "text");

    /// <summary>The same optimizer run in-process (LocalProgramEvaluator, the same uncached sim LM): the reference result.</summary>
    internal static async Task<string> InProcessAsync()
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var optimizer = new BootstrapFewShot(new BootstrapFewShotOptions
        {
            Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 4, MaxLabeledDemos = 16, Seed = 7,
        });
        var optimized = await optimizer.CompileAsync(Intent.Build(), Train);
        return PythonJson.Dumps(optimized.DumpState());
    }

    internal static CompileRunConfig Configure(CompileRunConfig c) => c with { Seed = 7, ShardSize = 2 };

    [Fact]
    public async Task A_run_on_the_cluster_completes_with_the_in_process_optimized_program_and_beats_the_baseline()
    {
        var client = new CompileRunClient(fixture.Grains);
        var events = new List<RunProgressEvent>();
        var cellsBefore = fixture.CellsBySilo();
        await client.SubmitAsync("run-equal", Intent, Train, Val, "exact_match", "bootstrap-fewshot", Configure);
        var status = await client.WaitAsync("run-equal", events.Add);

        Assert.Equal(CompileRunState.Completed, status.State);
        // The run's shard activations were spread over the cluster: every silo evaluated cells of this compile.
        var cellsAfter = fixture.CellsBySilo();
        Assert.Equal(3, cellsAfter.Count);
        Assert.All(cellsAfter, silo => Assert.True(silo.Value > cellsBefore.GetValueOrDefault(silo.Key),
            $"silo {silo.Key} evaluated no cell of the run ({string.Join(", ", cellsAfter.Select(s => $"{s.Key}: {s.Value - cellsBefore.GetValueOrDefault(s.Key)}"))})"));
        Assert.Equal(await InProcessAsync(), status.ResultStateJson);
        Assert.True(status.OptimizedScore > status.BaselineScore, $"optimized {status.OptimizedScore} vs baseline {status.BaselineScore}");
        Assert.Equal(1, status.Attempts);
        Assert.Equal("baseline", events[0].Kind);
        Assert.Equal("completed", events[^1].Kind);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Index));

        // Starting it again with the same configuration is harmless; another configuration under the same id is refused.
        Assert.Equal(CompileRunState.Completed, (await client.SubmitAsync("run-equal", Intent, Train, Val, "exact_match", "bootstrap-fewshot", Configure)).State);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            client.SubmitAsync("run-equal", Intent, Train, Val, "exact_match", "bootstrap-fewshot", c => Configure(c) with { Seed = 8 }));
        Assert.Contains("another configuration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_run_stops_as_cancelled_and_keeps_no_result()
    {
        var client = new CompileRunClient(fixture.Grains);
        await client.SubmitAsync("run-cancel", Intent, Train, Val, "exact_match", "random-search", c => Configure(c) with { Seed = null, NumCandidatePrograms = 6 });
        await fixture.Grains.GetGrain<ICompileRunGrain>("run-cancel").CancelAsync();

        var status = await client.WaitAsync("run-cancel");
        Assert.Equal(CompileRunState.Cancelled, status.State);
        Assert.Null(status.ResultStateJson);
        Assert.DoesNotContain(await fixture.Grains.GetGrain<ICompileRunGrain>("run-cancel").GetEventsAsync(0), e => e.Kind == "completed");
    }

    [Fact]
    public async Task A_bad_configuration_is_refused_before_anything_runs()
    {
        var client = new CompileRunClient(fixture.Grains);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitAsync("run-bad", Intent, Train, Val, "exact_match", "mipro-v9"));
        Assert.Contains("Unknown optimizer 'mipro-v9'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CompileRunState.None, (await fixture.Grains.GetGrain<ICompileRunGrain>("run-bad").GetStatusAsync()).State);
    }
}
