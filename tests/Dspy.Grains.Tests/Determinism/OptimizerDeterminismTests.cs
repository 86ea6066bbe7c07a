namespace Dspy.Grains.Tests.Determinism;

/// <summary>
/// DESIGN invariants 1 and 4 across deployments: the same seed and configuration (parallelism included) give a
/// byte-identical optimized program in-process, on 1 silo and on 3 silos (sim LM; all scores are sim scores).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OptimizerDeterminismTests(ClusterFixture three, SingleSiloFixture one) : IClassFixture<SingleSiloFixture>
{
    private static MIPROv2 Mipro() => new(new MIPROv2Options { Metric = Metrics.Get("exact_match"), Auto = "light", TrialParallelism = 3, NumThreads = 4, Seed = 11 });

    private static List<Example> MiproTrain => Samples.Load("intent", "train", 20, 500, "text");

    private static List<Example> MiproVal => Samples.Load("intent", "dev", 40, 340, "text");

    [Fact]
    public async Task Mipro_light_with_batched_trials_gives_the_same_program_in_process_on_one_silo_and_on_three()
    {
        var local = await OptimizerRuns.RunAsync(Mipro(), MiproTrain, MiproVal, cluster: null, "unused");
        var (before3, before1) = (three.CellsBySilo(), one.CellsEvaluated);
        var onThree = await OptimizerRuns.RunAsync(Mipro(), MiproTrain, MiproVal, three.Grains, "det-mipro-3");
        var onOne = await OptimizerRuns.RunAsync(Mipro(), MiproTrain, MiproVal, one.Grains, "det-mipro-1");
        AssertEvaluatedOnTheClusters(before3, before1);

        Assert.Equal(local, onThree);
        Assert.Equal(local, onOne);
        // The search did something: the optimized program is not the student.
        Assert.NotEqual(PythonJson.Dumps(OptimizerRuns.Intent.Build().DumpState()), local);
    }

    [Fact]
    public async Task Gepa_with_parallel_proposals_gives_the_same_program_in_process_on_one_silo_and_on_three()
    {
        var local = await OptimizerRuns.RunAsync(OptimizerRuns.Gepa(), OptimizerRuns.GepaTrain, OptimizerRuns.GepaVal, cluster: null, "unused");
        var (before3, before1) = (three.CellsBySilo(), one.CellsEvaluated);
        // On the cluster the front lives in the run's Pareto-front grain, saved after every round.
        var onThree = await OptimizerRuns.RunAsync(OptimizerRuns.Gepa(ParetoFrontGrainStore.For(three.Grains, "det-gepa-3")),
            OptimizerRuns.GepaTrain, OptimizerRuns.GepaVal, three.Grains, "det-gepa-3");
        var onOne = await OptimizerRuns.RunAsync(OptimizerRuns.Gepa(ParetoFrontGrainStore.For(one.Grains, "det-gepa-1")),
            OptimizerRuns.GepaTrain, OptimizerRuns.GepaVal, one.Grains, "det-gepa-1");

        AssertEvaluatedOnTheClusters(before3, before1);
        Assert.Equal(local, onThree);
        Assert.Equal(local, onOne);
        Assert.NotEqual(PythonJson.Dumps(OptimizerRuns.Intent.Build().DumpState()), local);
        var saved = await three.Grains.GetGrain<IParetoFrontGrain>("det-gepa-3").GetGepaAsync();
        Assert.NotNull(saved);
        Assert.True(saved.Candidates.Count > 1, "GEPA found no candidate beyond the student");
        Assert.Equal(saved, await one.Grains.GetGrain<IParetoFrontGrain>("det-gepa-1").GetGepaAsync(), GepaRecordComparer.Instance);
    }

    // The cluster runs really evaluated on the silos: every one of the three, and the single one.
    private void AssertEvaluatedOnTheClusters(Dictionary<string, long> before3, long before1)
    {
        Assert.All(three.CellsBySilo(), kv => Assert.True(kv.Value > before3.GetValueOrDefault(kv.Key), $"silo {kv.Key} evaluated no cell"));
        Assert.True(one.CellsEvaluated > before1, "the single silo evaluated no cell");
    }
}
