using System.Globalization;
using System.Text.Json;
using Dspy.Grains.Tests.Runs;
using Xunit.Abstractions;

namespace Dspy.Grains.Tests.Storage;

/// <summary>
/// Grain state that grows with the data, on Azure Table storage (Azurite) with the default inline limit: a compile run with
/// 50,000 train ids and 16 long demos, shards whose cells carry large traces, candidate scores, Pareto fronts and GEPA
/// checkpoints over 50,000 examples. Before the large parts moved to blobs each of these failed to store ("Data too large
/// to write to Azure table"); now every one completes, comes back after a restart, and every stored entity stays far below
/// the table's limit.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LargeGrainStateTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    // Azure's limit is 1 MiB an entity (Orleans' provider: 960 KiB of state data). The largest record kept in state by
    // design is a dataset under DatasetInlineLimitBytes (256 KiB); any other record holds at most two parts of up to
    // StateInlineLimitBytes (64 KiB) and the names of its blobs, and a run's record its events (at most 128 KiB) too.
    // 320 KiB leaves all of them room and is a third of the limit.
    private const long MaxEntityBytes = 320 * 1024;

    private async Task AssertEntitiesSmallAsync(AzureStateCluster storage)
    {
        var sizes = await storage.EntitiesAsync();
        foreach (var s in sizes.Take(4)) output.WriteLine(s.ToString());
        Assert.True(sizes[0].Bytes < MaxEntityBytes, $"largest entity {sizes[0]}");
    }

    [Fact]
    public async Task A_compile_run_with_50000_train_ids_and_16_long_demos_completes_with_every_entity_small()
    {
        // 50,000 train ids (1.7 MB of ids in the run's configuration). LabeledFewShot draws its 16 demos with a seeded
        // sampler that depends only on the trainset's size, so the examples it will pick are made long (64 KB each): the
        // optimized program is over 1 MB.
        const int trainCount = 50_000;
        var picked = new PythonRandom(7).Sample(Enumerable.Range(0, trainCount).ToList(), 16).ToHashSet();
        var train = Enumerable.Range(0, trainCount)
            .Select(i => AzureStateCluster.Intent(picked.Contains(i) ? AzureStateCluster.LongText(i, 64 * 1024) : $"request {i}: pay my bill", i)).ToList();
        var val = CompileRunTests.Val.Take(4).ToList(); // a program with 1 MB of demos takes the sim about a second an example
        var expected = PythonJson.Dumps(new LabeledFewShot(16, 7).Compile(CompileRunTests.Intent.Build(), train).DumpState());
        Assert.True(expected.Length > 1024 * 1024, $"the optimized program is {expected.Length} characters");
        CompileRunConfig Configure(CompileRunConfig c) => c with { Seed = 7, MaxLabeledDemos = 16, ShardSize = 20 };

        var storage = new AzureStateCluster(azurite, "Run");
        await using var cluster = await storage.StartAsync();
        var client = new CompileRunClient(cluster.Client);
        await client.SubmitAsync("run-large", CompileRunTests.Intent, train, val, "exact_match", "labeled-fewshot", Configure);
        var status = await client.WaitAsync("run-large");

        Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
        Assert.Equal(expected, status.ResultStateJson);
        await AssertEntitiesSmallAsync(storage);
        var named = await storage.AssertNamedBlobsExistAsync();
        Assert.Contains(named, n => n.StartsWith("runs/run-large/config-", StringComparison.Ordinal));
        Assert.Contains(named, n => n.StartsWith("runs/run-large/result-", StringComparison.Ordinal));

        // The same configuration is the started run (the blob's name says so); another is refused. A new activation reads
        // the optimized program back from its blob.
        var run = cluster.Client.GetGrain<ICompileRunGrain>("run-large");
        var config = Configure(new CompileRunConfig
        {
            Program = CompileRunTests.Intent, DatasetId = "run-large", TrainIds = train.Select(e => DatasetExample.From(e).Id).ToList(),
            ValIds = val.Select(e => DatasetExample.From(e).Id).ToList(), MetricName = "exact_match", Optimizer = "labeled-fewshot",
        });
        await cluster.DeactivateAsync(run);
        Assert.Equal(CompileRunState.Completed, (await run.StartAsync(config)).State);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => run.StartAsync(config with { TrainIds = config.TrainIds.Skip(1).ToList() }));
        Assert.Contains("another configuration", ex.Message, StringComparison.Ordinal);
        Assert.Equal(expected, (await run.GetStatusAsync()).ResultStateJson);
    }

    [Fact]
    public async Task Shards_whose_cells_carry_large_traces_complete_with_every_entity_small_and_serve_them_after_a_restart()
    {
        // 240 examples of 8 KB in two shards of 120: each cell's trace holds its example's text, 1 MB of cells a shard.
        var examples = Enumerable.Range(0, 240).Select(i => AzureStateCluster.Intent(AzureStateCluster.LongText(i, 8 * 1024), i)).ToList();
        var request = new ProgramEvaluationRequest
        {
            Program = CompileRunTests.Intent.Build(), Examples = examples, Metric = Metrics.Get("exact_match"), CaptureTraces = true,
        };
        ClusterProgramEvaluator Evaluator(IGrainFactory grains) =>
            new(grains, new ClusterProgramEvaluatorOptions { RunId = "traces", Program = CompileRunTests.Intent, ShardSize = 120 });
        var storage = new AzureStateCluster(azurite, "Traces");

        var first = await storage.StartAsync();
        var before = await Evaluator(first.Client).EvaluateAsync(request);
        Assert.All(before.Results, r => Assert.Equal(r.Example.ToDictionary()["text"], r.Trace[0].Inputs["text"]));
        Assert.Equal(240, storage.Evaluated.Count);
        await AssertEntitiesSmallAsync(storage);
        Assert.True((await storage.AssertNamedBlobsExistAsync()).Count(n => n.StartsWith("cells/", StringComparison.Ordinal)) >= 2);
        await AzureStateCluster.KillAsync(first);

        await using var second = await storage.StartAsync();
        var after = await Evaluator(second.Client).EvaluateAsync(request);
        Assert.Equal(240, storage.Evaluated.Count); // every cell came from the stored segments
        Assert.Equal(before.Results.Select(r => CellCodec.Encode("", r)), after.Results.Select(r => CellCodec.Encode("", r)));
    }

    [Fact]
    public async Task Candidate_scores_pareto_fronts_and_gepa_checkpoints_over_50000_examples_keep_every_entity_small()
    {
        var ids = Enumerable.Range(0, 50_000).Select(i => DatasetExample.Hash(i.ToString(CultureInfo.InvariantCulture))).ToList();
        var scores = ids.Select((id, i) => new ExampleScore(id, (i % 7) / 7.0)).ToList();
        var gepa = AzureStateCluster.GepaRecord(candidates: 40, valset: 5_000, round: 3);
        var storage = new AzureStateCluster(azurite, "Scores");
        var first = await storage.StartAsync();

        await first.Client.GetGrain<IProgramCandidateGrain>(GrainKeys.Candidate("scores", "c1")).RecordScoresAsync(scores);
        var front = first.Client.GetGrain<IParetoFrontGrain>("scores");
        for (var c = 0; c < 3; c++) await front.UpdateAsync("cand" + c, scores.Select((s, i) => s with { Score = ((i + c) % 5) / 5.0 }).ToList());
        var expectedFront = await front.GetAsync();
        Assert.Equal(50_000, expectedFront.Examples.Count);
        await front.SaveGepaAsync(gepa);
        await AssertEntitiesSmallAsync(storage);
        await storage.AssertNamedBlobsExistAsync();
        await AzureStateCluster.KillAsync(first);

        await using var second = await storage.StartAsync();
        Assert.Equal(scores.OrderBy(s => s.ExampleId, StringComparer.Ordinal), await second.Client.GetGrain<IProgramCandidateGrain>(GrainKeys.Candidate("scores", "c1")).GetScoresAsync());
        var again = second.Client.GetGrain<IParetoFrontGrain>("scores");
        var restored = await again.GetAsync();
        Assert.Equal(expectedFront.Candidates, restored.Candidates);
        Assert.Equal(expectedFront.Examples.Select(e => (e.ExampleId, e.Best, string.Join(",", e.Candidates))),
            restored.Examples.Select(e => (e.ExampleId, e.Best, string.Join(",", e.Candidates))));
        Assert.Equal(JsonSerializer.Serialize(gepa), JsonSerializer.Serialize(await again.GetGepaAsync()));
    }
}
