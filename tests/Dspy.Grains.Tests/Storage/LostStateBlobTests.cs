using System.Globalization;
using System.Text.Json;
using Dspy.Grains.Tests.Runs;

namespace Dspy.Grains.Tests.Storage;

/// <summary>
/// Blobs that grain state names, deleted or altered behind the cluster's back (Azurite, an inline limit of 0 so every
/// part of every state is in blobs): found, never served, and handled the documented way. Cells are evaluated again; a
/// candidate's program is stored again; lost scores are dropped and recorded again; a lost GEPA checkpoint reads as
/// none; a lost configuration, optimized program or Pareto-front segment is an error naming the blob.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LostStateBlobTests(AzuriteFixture azurite)
{
    private static readonly ProgramSpec Intent = CompileRunTests.Intent;

    private static async Task<HashSet<string>> KeysOfAsync(BlobPayloadStore blobs, string blob) =>
        JsonDocument.Parse((await blobs.DownloadAsync(blob))!).RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();

    [Fact]
    public async Task The_cells_of_a_lost_or_altered_segment_are_evaluated_again_and_never_served()
    {
        var storage = new AzureStateCluster(azurite, "LostCells");
        await using var cluster = await storage.StartAsync(inlineLimit: 0, latency: TimeSpan.FromMilliseconds(20));
        var request = new ProgramEvaluationRequest
        {
            Program = Intent.Build(), Examples = Samples.Load("intent", "dev", 24, 0, "text"), Metric = Metrics.Get("exact_match"), CaptureTraces = true,
        };
        ClusterProgramEvaluator Evaluator() => new(cluster.Client, new ClusterProgramEvaluatorOptions { RunId = "lost-cells", Program = Intent, ShardSize = 12 });
        var evaluator = Evaluator();
        var before = await evaluator.EvaluateAsync(request);

        // One shard's first segment deleted, its second altered into valid JSON with other scores.
        var shardKey = evaluator.ShardKeys.First();
        var segments = (await storage.StateAsync<ShardState>("dspy-eval-shard", shardKey, "cells")).Segments!;
        Assert.True(segments.Count >= 2, $"{segments.Count} segments");
        var (deleted, altered) = (segments[0].Blob, segments[1].Blob);
        var lost = (await KeysOfAsync(storage.Blobs, deleted)).Union(await KeysOfAsync(storage.Blobs, altered)).ToHashSet();
        var original = (await storage.Blobs.DownloadAsync(altered))!.ToString();
        var changed = original.Replace("\"Score\":1", "\"Score\":7", StringComparison.Ordinal).Replace("\"Score\":0", "\"Score\":7", StringComparison.Ordinal);
        Assert.NotEqual(original, changed);
        await storage.Blobs.DeleteAsync(deleted);
        await storage.Blobs.UploadAsync(altered, BinaryData.FromString(changed));
        foreach (var key in evaluator.ShardKeys) await cluster.DeactivateAsync(cluster.Client.GetGrain<IEvaluationShardGrain>(key));

        var after = await Evaluator().EvaluateAsync(request);
        Assert.Equal(before.Results.Select(r => CellCodec.Encode("", r)), after.Results.Select(r => CellCodec.Encode("", r)));
        var again = storage.Evaluated.Where(kv => kv.Value > 1).Select(kv => kv.Key).ToList();
        Assert.Equal(lost.Select(id => shardKey + "|" + id).Order(StringComparer.Ordinal), again.Order(StringComparer.Ordinal));
        Assert.All(storage.Evaluated.Values, n => Assert.InRange(n, 1, 2));
        await storage.AssertNamedBlobsExistAsync(); // the state stopped naming the lost segments
    }

    [Fact]
    public async Task A_lost_candidate_program_is_stored_again_and_a_lost_configuration_or_optimized_program_is_a_clear_error()
    {
        var storage = new AzureStateCluster(azurite, "LostRun");
        var first = await storage.StartAsync(inlineLimit: 0, latency: TimeSpan.FromMilliseconds(200));
        var train = Samples.Load("intent", "train", 8, 0, "text");
        var val = Samples.Load("intent", "dev", 4, 0, "text");
        var client = new CompileRunClient(first.Client);
        await client.SubmitAsync("run-done", Intent, train, val, "exact_match", "labeled-fewshot", c => c with { Seed = 7, MaxLabeledDemos = 4, ShardSize = 2 });
        var done = await client.WaitAsync("run-done");
        Assert.True(done.State == CompileRunState.Completed, $"{done.State}: {done.Error}");

        // The optimized candidate's program, deleted: storing the candidate again (the evaluator does before evaluating)
        // writes it again, and so does a shard that finds it missing (the evaluator stores it and retries).
        var optimized = Intent.Build(done.ResultStateJson!);
        var key = GrainKeys.Candidate("run-done", CandidateProgram.From(Intent, optimized).Hash);
        var program = Assert.Single(await storage.AssertNamedBlobsExistAsync(),
            n => n.StartsWith($"candidates/{Uri.EscapeDataString(key)}/program-", StringComparison.Ordinal));
        var candidate = first.Client.GetGrain<IProgramCandidateGrain>(key);
        var evaluator = new ClusterProgramEvaluator(first.Client, new ClusterProgramEvaluatorOptions { RunId = "run-done", Program = Intent, ShardSize = 2 });
        await storage.Blobs.DeleteAsync(program);
        await first.DeactivateAsync(candidate);
        var evaluated = storage.Evaluated.Count;
        var final = await evaluator.EvaluateAsync(new ProgramEvaluationRequest { Program = optimized, Examples = val, Metric = Metrics.Get("exact_match") });
        Assert.Equal(done.OptimizedScore, final.Score);
        Assert.Equal(evaluated, storage.Evaluated.Count); // the run's final cells, served from the store
        Assert.NotNull(await storage.Blobs.DownloadAsync(program));
        await storage.Blobs.DeleteAsync(program);
        await first.DeactivateAsync(candidate);
        var more = Samples.Load("intent", "dev", 2, 10, "text");
        Assert.Equal(2, (await evaluator.EvaluateAsync(new ProgramEvaluationRequest { Program = optimized, Examples = more, Metric = Metrics.Get("exact_match") })).Results.Count);
        Assert.NotNull(await storage.Blobs.DownloadAsync(program));
        Assert.Equal(done.ResultStateJson, (await candidate.GetAsync())!.StateJson);

        // A run still going when the whole cluster fails loses its configuration; the finished run's program is altered.
        await client.SubmitAsync("run-lost", Intent, train, val, "exact_match", "bootstrap-fewshot", c => c with { Seed = 7, ShardSize = 2 });
        await AzureStateCluster.KillAsync(first);
        var named = await storage.AssertNamedBlobsExistAsync();
        var config = Assert.Single(named, n => n.StartsWith("runs/run-lost/config-", StringComparison.Ordinal));
        var result = Assert.Single(named, n => n.StartsWith("runs/run-done/result-", StringComparison.Ordinal));
        await storage.Blobs.DeleteAsync(config);
        await storage.Blobs.UploadAsync(result, BinaryData.FromString("\"{}\""));

        await using var second = await storage.StartAsync(inlineLimit: 0);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var failed = await new CompileRunClient(second.Client).WaitAsync("run-lost", cancellationToken: timeout.Token);
        Assert.Equal(CompileRunState.Failed, failed.State);
        Assert.Contains(config, failed.Error, StringComparison.Ordinal);
        Assert.Contains("missing or damaged", failed.Error, StringComparison.Ordinal);
        var unreadable = await second.Client.GetGrain<ICompileRunGrain>("run-done").GetStatusAsync();
        Assert.Equal(CompileRunState.Completed, unreadable.State);
        Assert.Null(unreadable.ResultStateJson);
        Assert.Contains(result, unreadable.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lost_scores_are_dropped_a_lost_checkpoint_reads_as_none_and_a_lost_front_segment_is_an_error()
    {
        var storage = new AzureStateCluster(azurite, "LostScores");
        await using var cluster = await storage.StartAsync(inlineLimit: 0);
        var scores = Enumerable.Range(0, 100).Select(i => new ExampleScore(DatasetExample.Hash(i.ToString(CultureInfo.InvariantCulture)), i / 100.0))
            .OrderBy(s => s.ExampleId, StringComparer.Ordinal).ToList();

        // Two segments of scores; the first lost. Its scores and any earlier ones are dropped (a later score may have
        // replaced one, which must not come back), and recorded again.
        var key = GrainKeys.Candidate("lost", "c1");
        var candidate = cluster.Client.GetGrain<IProgramCandidateGrain>(key);
        await candidate.RecordScoresAsync(scores[..50]);
        await candidate.RecordScoresAsync(scores[50..]);
        var segments = (await storage.StateAsync<CandidateState>("dspy-candidate", key, "candidate")).ScoreSegments!;
        Assert.Equal(2, segments.Count);
        await storage.Blobs.DeleteAsync(segments[0].Blob);
        await cluster.DeactivateAsync(candidate);
        Assert.Equal(scores[50..], await candidate.GetScoresAsync());
        await storage.AssertNamedBlobsExistAsync();
        await candidate.RecordScoresAsync(scores[..50]);
        Assert.Equal(scores, await candidate.GetScoresAsync());

        // A lost checkpoint reads as none, and a GEPA run starting over is taken from its first round.
        var front = cluster.Client.GetGrain<IParetoFrontGrain>("lost");
        await front.SaveGepaAsync(AzureStateCluster.GepaRecord(candidates: 3, valset: 10, round: 4));
        var checkpoint = Assert.Single(await storage.AssertNamedBlobsExistAsync(), n => n.StartsWith("pareto/lost/gepa-", StringComparison.Ordinal));
        await storage.Blobs.DeleteAsync(checkpoint);
        await cluster.DeactivateAsync(front);
        Assert.Null(await front.GetGepaAsync());
        await front.SaveGepaAsync(AzureStateCluster.GepaRecord(candidates: 3, valset: 10, round: 1));
        Assert.Equal(1, (await front.GetGepaAsync())!.Round);

        // The front's updates cannot be replayed: an altered segment of bests is an error naming it.
        await front.UpdateAsync("a", scores);
        await front.UpdateAsync("b", scores.Select(s => s with { Score = 1 - s.Score }).ToList());
        var best = (await storage.StateAsync<ParetoState>("dspy-pareto-front", "lost", "front")).BestSegments!;
        await storage.AssertNamedBlobsExistAsync();
        var content = (await storage.Blobs.DownloadAsync(best[0].Blob))!.ToString();
        await storage.Blobs.UploadAsync(best[0].Blob, BinaryData.FromString(content.Replace("\"a\"", "\"c\"", StringComparison.Ordinal)));
        await cluster.DeactivateAsync(front);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => front.GetAsync());
        Assert.Contains(best[0].Blob, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await front.GetGepaAsync())!.Round);
    }
}
