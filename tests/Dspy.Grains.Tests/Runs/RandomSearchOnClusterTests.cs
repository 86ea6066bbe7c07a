using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Runs;

/// <summary>
/// BootstrapFewShotWithRandomSearch, unchanged, through the cluster's evaluator: the same configuration (candidate
/// parallelism included) gives the same optimized program on 1 silo, on 3 silos and in-process.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RandomSearchOnClusterTests(ClusterFixture fixture)
{
    private static CompileRunConfig Configure(CompileRunConfig c) => c with { NumCandidatePrograms = 3, Parallelism = 2, ShardSize = 3 };

    private static async Task<string> InProcessAsync()
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var optimizer = new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
        {
            Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 4, MaxLabeledDemos = 16, NumCandidatePrograms = 3, CandidateParallelism = 2,
        });
        var optimized = await optimizer.CompileAsync(CompileRunTests.Intent.Build(), CompileRunTests.Train);
        return PythonJson.Dumps(optimized.DumpState());
    }

    private static async Task<CompileRunStatus> RunAsync(IGrainFactory grains, string runId)
    {
        var client = new CompileRunClient(grains);
        await client.SubmitAsync(runId, CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", "random-search", Configure);
        return await client.WaitAsync(runId);
    }

    [Fact]
    public async Task Random_search_gives_the_same_program_on_one_silo_three_silos_and_in_process()
    {
        var three = await RunAsync(fixture.Grains, "rs-three");

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o => o.LmCache = false));
        await using var single = builder.Build();
        await single.DeployAsync();
        var one = await RunAsync(single.Client, "rs-one");

        Assert.Equal(CompileRunState.Completed, three.State);
        Assert.Equal(CompileRunState.Completed, one.State);
        var expected = await InProcessAsync();
        Assert.Equal(expected, three.ResultStateJson);
        Assert.Equal(expected, one.ResultStateJson);
        Assert.True(three.OptimizedScore > three.BaselineScore, $"optimized {three.OptimizedScore} vs baseline {three.BaselineScore}");
    }
}
