namespace Dspy.Grains.Tests.Runs;

/// <summary>
/// Every optimizer runs on the cluster unchanged: a compile run built from the same by-name arguments as
/// <c>dspy compile</c> (<see cref="OptimizerRegistry"/>) gives, on 3 silos, the program the same optimizer gives
/// in-process — trial and proposal parallelism included (DESIGN invariants 1 and 4).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AnyOptimizerOnClusterTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("mipro", 2)]
    [InlineData("gepa", 2)]
    [InlineData("copro", 2)]
    [InlineData("simba", null)]
    [InlineData("infer-rules", null)]
    public async Task The_cluster_run_gives_the_in_process_program(string optimizer, int? parallelism)
    {
        var runId = $"any-{optimizer}";
        var client = new CompileRunClient(fixture.Grains);
        await client.SubmitAsync(runId, CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", optimizer, c => c with
        {
            Parallelism = parallelism, ShardSize = 4, Seed = optimizer == "copro" ? null : 3, NumCandidatePrograms = optimizer == "copro" ? 3 : null,
        });
        var status = await client.WaitAsync(runId);
        Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");

        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var local = OptimizerRegistry.Create(new OptimizerArguments
        {
            Name = optimizer, Metric = Metrics.Get("exact_match"), TaskLm = Settings.Current.Lm!, Parallelism = parallelism,
            Seed = optimizer == "copro" ? null : 3, NumCandidates = optimizer == "copro" ? 3 : null,
        });
        var expected = await local.CompileAsync(CompileRunTests.Intent.Build(), CompileRunTests.Train);
        Assert.Equal(PythonJson.Dumps(expected.DumpState()), status.ResultStateJson);
    }

    [Fact]
    public async Task A_gepa_run_keeps_its_front_in_the_runs_pareto_grain_and_reports_pareto_updates()
    {
        var client = new CompileRunClient(fixture.Grains);
        var events = new List<RunProgressEvent>();
        await client.SubmitAsync("any-gepa-front", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", "gepa",
            c => c with { Parallelism = 2, Seed = 4, ShardSize = 4 });
        var status = await client.WaitAsync("any-gepa-front", events.Add);
        Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");

        var front = await fixture.Grains.GetGrain<IParetoFrontGrain>("any-gepa-front").GetGepaAsync();
        Assert.NotNull(front);
        Assert.True(front.Round > 0, $"round {front.Round}");
        var updates = events.Where(e => e.Kind == nameof(OptimizerEventKind.ParetoUpdated)).ToList();
        Assert.NotEmpty(updates);
        Assert.All(updates, e => Assert.True(e.ParetoCoverage is { Count: > 0 }, "a Pareto update without coverage"));
    }

    [Theory]
    [InlineData("bootstrap-finetune")]
    [InlineData("better-together")]
    public async Task Fine_tuning_needs_the_silos_LM_to_be_an_openai_model_and_is_refused_at_the_start_otherwise(string optimizer)
    {
        // These silos run the in-process "sim" LM, which no fine-tuning API serves (see FinetuneOnClusterTests for openai/sim).
        var runId = $"any-finetune-{optimizer}";
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => new CompileRunClient(fixture.Grains).SubmitAsync(runId,
            CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", optimizer));
        Assert.Contains("so the silos' Dspy:Grains:LmModel must be an openai/... model on a server that fine-tunes (got 'sim')", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CompileRunState.None, (await fixture.Grains.GetGrain<ICompileRunGrain>(runId).GetStatusAsync()).State);
    }

    [Fact]
    public async Task A_setting_the_optimizer_refuses_fails_the_start_and_stores_nothing()
    {
        var client = new CompileRunClient(fixture.Grains);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitAsync("any-refused", CompileRunTests.Intent, CompileRunTests.Train,
            CompileRunTests.Val, "exact_match", "gepa", c => c with { MaxBootstrappedDemos = 2 }));
        Assert.Contains("do not apply to gepa", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CompileRunState.None, (await fixture.Grains.GetGrain<ICompileRunGrain>("any-refused").GetStatusAsync()).State);
    }
}
