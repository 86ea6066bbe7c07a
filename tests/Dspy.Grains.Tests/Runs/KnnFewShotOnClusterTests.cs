using System.Collections.Concurrent;
using Dspy.Grains.Tests.Determinism;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Dspy.Grains.Tests.Runs;

/// <summary>
/// <c>knn-fewshot</c> as a compile run: the returned per-call program is rebuilt by value on the shards of the final
/// evaluation (on several silos), whose per-call bootstrapping runs there; the saved program (the student's state) and
/// the after-score are the in-process compile's, on 3 silos and on 1 (DESIGN invariants 1 and 4; sim scores).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KnnFewShotOnClusterTests(ClusterFixture three, SingleSiloFixture one, ITestOutputHelper output) : IClassFixture<SingleSiloFixture>
{
    private const int K = 3;

    private static readonly ProgramSpec Intent = CompileRunTests.Intent;

    private static List<Example> Train => Samples.Load("intent", "train", 40, 600, "text");

    private static List<Example> Val => Samples.Load("intent", "dev", 24, 200, "text");

    [Fact]
    public async Task Knn_fewshot_gives_the_in_process_program_and_after_score_on_three_silos_and_on_one()
    {
        var (expectedState, expectedBefore, expectedAfter, expectedHash) = await InProcessAsync();
        var onThree = await RunAsync(three.Cluster, "knn-3");
        var onOne = await RunAsync(one.Cluster, "knn-1");

        foreach (var (status, cells, runId) in new[] { onThree, onOne })
        {
            Assert.True(status.State == CompileRunState.Completed, $"{runId}: {status.State}: {status.Error}");
            Assert.Equal(expectedState, status.ResultStateJson);
            Assert.Equal(expectedBefore, status.BaselineScore);
            Assert.Equal(expectedAfter, status.OptimizedScore);
            // The final evaluation evaluated the candidate the in-process program describes (k, options, trainset ids),
            // every val example once, not the plain student (whose cells are the baseline's).
            var final = cells.Where(c => c.Hash == expectedHash(runId)).ToList();
            Assert.Equal(Val.Count, final.Count);
        }
        // The per-call program was rebuilt and run on more than one of the three silos.
        var finalSilos = onThree.Cells.Where(c => c.Hash == expectedHash("knn-3")).Select(c => c.Silo).Distinct().Count();
        output.WriteLine($"knn-fewshot (k={K}) on intent (sim, {Val.Count} val): {expectedBefore}% -> {expectedAfter}%; final evaluation on {finalSilos} of 3 silos");
        Assert.True(finalSilos > 1, $"the final evaluation ran on {finalSilos} silo(s)");
        // Choosing demos per call does better than the zero-shot student here (the run did something).
        Assert.True(expectedAfter > expectedBefore, $"after {expectedAfter} vs before {expectedBefore}");
    }

    // The same optimizer from the same by-name arguments, in-process with the uncached sim LM: the saved state, the
    // before/after scores as dspy compile measures them, and the candidate hash a run with dataset = run id gives it.
    private static async Task<(string State, double Before, double After, Func<string, string> Hash)> InProcessAsync()
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var metric = Metrics.Get("exact_match");
        var optimizer = OptimizerRegistry.Create(new OptimizerArguments
        {
            Name = "knn-fewshot", Metric = metric, TaskLm = Settings.Current.Lm!, MaxDemos = K, Seed = 5, NumThreads = 4,
        });
        var student = Intent.Build();
        var optimized = await optimizer.CompileAsync(student, Train);
        var evaluate = new Evaluate(Val, metric, numThreads: 4);
        var before = (await evaluate.RunAsync(student)).Score;
        var after = (await evaluate.RunAsync(optimized)).Score;
        return (PythonJson.Dumps(optimized.DumpState()), before, after, runId => ProgramWrappers.Describe(Intent, optimized, runId).Candidate.Hash);
    }

    private static async Task<(CompileRunStatus Status, List<(string Silo, string Hash)> Cells, string RunId)> RunAsync(InProcessTestCluster cluster, string runId)
    {
        // Which silo evaluated which candidate's cells of this run (a cell id is "run:candidate:shard|example").
        var cells = new ConcurrentBag<(string Silo, string Hash)>();
        var silos = cluster.GetActiveSilos().Select(s => (s.SiloAddress.ToString(), cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>())).ToList();
        var handlers = silos.Select(s => (s.Item2, Handler: (Action<string>)(cellId =>
        {
            var parts = cellId.Split('|')[0].Split(':');
            if (parts[0] == runId) cells.Add((s.Item1, parts[1]));
        }))).ToList();
        foreach (var (lm, handler) in handlers) lm.CellEvaluated += handler;
        try
        {
            var client = new CompileRunClient(cluster.Client);
            await client.SubmitAsync(runId, Intent, Train, Val, "exact_match", "knn-fewshot", c => c with { MaxBootstrappedDemos = K, Seed = 5, ShardSize = 3, NumThreads = 4 });
            return (await client.WaitAsync(runId), [.. cells], runId);
        }
        finally
        {
            foreach (var (lm, handler) in handlers) lm.CellEvaluated -= handler;
        }
    }
}
