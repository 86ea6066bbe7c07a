using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Dspy.Grains.Tests.Finetune;

/// <summary>
/// BootstrapFinetune and BetterTogether as compile runs: the traces come from the shards, the fine-tuning job runs on the
/// run grain's silo against the silos' OpenAI-compatible server (<c>dspy sim serve</c>), and the fine-tuned model's calls
/// on the shards go through each silo's pipeline for that model (gateway permits included). The result is the in-process
/// compile's, byte for byte, on 3 silos and on 1 (sim scores).
/// </summary>
public sealed class FinetuneOnClusterTests(SimServerClustersFixture fixture, ITestOutputHelper log) : IClassFixture<SimServerClustersFixture>
{
    internal static readonly ProgramSpec Intent = new("predict", Samples.Signature("intent"));

    internal static List<Example> Train => Samples.Load("intent", "train", 40, 200, "text");

    internal static List<Example> Val => Samples.Load("intent", "dev", 24, 300, "text");

    [Theory]
    [InlineData("bootstrap-finetune", 16, null)]
    [InlineData("better-together", 8, 1)]
    public async Task The_cluster_run_gives_the_in_process_program_and_scores_on_three_silos_and_on_one(string optimizer, int maxLabeled, int? candidates)
    {
        var (expected, before, after) = await InProcessAsync(fixture.TaskLm(), optimizer, maxLabeled, candidates);
        log.WriteLine($"{optimizer} in-process (sim over HTTP, {Val.Count} val): {before}% -> {after}%; {fixture.Server.Stats.Served} requests served so far");
        var models = fixture.Server.FineTunedModels.Count;
        var cells = SimServerClustersFixture.CellsBySilo(fixture.Three);

        foreach (var (cluster, name) in new[] { (fixture.Three, "3"), (fixture.One, "1") })
        {
            var events = new List<RunProgressEvent>();
            var status = await RunAsync(cluster, $"ft-{optimizer}-{name}", optimizer, maxLabeled, candidates, events);
            Assert.Equal(expected, status.ResultStateJson);
            Assert.Equal(before, status.BaselineScore);
            Assert.Equal(after, status.OptimizedScore);
            // The run really fine-tuned (BootstrapFinetune's own report, from the run grain's silo).
            Assert.Contains(events, e => e.Message?.Contains("sim -> ft:sim:dspy-sim::", StringComparison.Ordinal) == true);
        }
        // The same training data gave the same model name: no model beyond the in-process compile's was created.
        Assert.Equal(models, fixture.Server.FineTunedModels.Count);
        Assert.All(SimServerClustersFixture.CellsBySilo(fixture.Three), kv => Assert.True(kv.Value > cells.GetValueOrDefault(kv.Key), $"silo {kv.Key} evaluated no cell"));
        if (optimizer == "bootstrap-finetune") Assert.Contains("\"model\": \"openai/ft:sim:dspy-sim::", expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fine_tuned_models_calls_on_the_shards_reach_the_server_through_the_gateway()
    {
        var servedBefore = fixture.Server.Stats.ServedByModel;
        var status = await RunAsync(fixture.Three, "ft-gateway", "bootstrap-finetune", 16, null, []);

        var tuned = Intent.Build(status.ResultStateJson!, allowUnsafeLmState: true).Predictors().Single().Lm!.Model;
        Assert.StartsWith("openai/ft:sim:dspy-sim::", tuned, StringComparison.Ordinal);
        var model = tuned["openai/".Length..];
        // After fine-tuning, the run's only calls are the final evaluation's: one per val example, all on the fine-tuned model.
        var served = fixture.Server.Stats.ServedByModel[model] - servedBefore.GetValueOrDefault(model);
        Assert.Equal(Val.Count, served);
        var broker = await fixture.Three.Client.GetGrain<ILmGatewayGrain>($"{tuned}@{fixture.ApiBase}").GetStatsAsync();
        Assert.True(broker.Granted >= served, $"the fine-tuned model's broker granted {broker.Granted} permits for {served} requests");
        Assert.Equal(0, broker.RateLimited);
        log.WriteLine($"{model}: {served} requests served, {broker.Granted} permits granted by its broker");
    }

    /// <summary>The compile in-process with <paramref name="lm"/> (as the silos' LM): the saved program and the before/after scores.</summary>
    internal static async Task<(string State, double Before, double After)> InProcessAsync(LM lm, string optimizer, int maxLabeled, int? candidates)
    {
        using var _ = Settings.Context(s => s with { Lm = lm });
        var metric = Metrics.Get("exact_match");
        var teleprompter = OptimizerRegistry.Create(new OptimizerArguments
        {
            Name = optimizer, Metric = metric, TaskLm = lm, MaxLabeled = maxLabeled, NumCandidates = candidates,
        });
        var student = Intent.Build();
        var before = await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest { Program = student, Examples = Val, Metric = metric });
        var optimized = await teleprompter.CompileAsync(student, Train);
        var after = await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest { Program = optimized, Examples = Val, Metric = metric });
        return (PythonJson.Dumps(optimized.DumpState()), before.Score, after.Score);
    }

    private static async Task<CompileRunStatus> RunAsync(InProcessTestCluster cluster, string runId, string optimizer, int maxLabeled, int? candidates,
        List<RunProgressEvent> events)
    {
        var client = new CompileRunClient(cluster.Client);
        await client.SubmitAsync(runId, Intent, Train, Val, "exact_match", optimizer,
            c => c with { MaxLabeledDemos = maxLabeled, NumCandidatePrograms = candidates, ShardSize = 4 });
        var status = await client.WaitAsync(runId, events.Add);
        Assert.True(status.State == CompileRunState.Completed, $"{runId}: {status.State}: {status.Error}");
        return status;
    }
}
