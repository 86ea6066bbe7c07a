using Dspy.Grains.Tests.Runs;

namespace Dspy.Grains.Tests.Evaluation;

/// <summary>
/// A shard that cannot read its examples from the dataset grain says so (the evaluator then re-registers them and sends
/// them with the retry); examples sent with the work are checked against their ids.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ShardExamplesFallbackTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Missing_examples_are_reported_and_examples_sent_with_the_work_are_evaluated()
    {
        var program = CompileRunTests.Intent.Build();
        var candidate = CandidateProgram.From(CompileRunTests.Intent, program);
        await fixture.Grains.GetGrain<IProgramCandidateGrain>(GrainKeys.Candidate("fallback", candidate.Hash)).SetAsync(candidate);
        var examples = CompileRunTests.Train.Take(2).Select(DatasetExample.From).ToList();
        var work = new ShardWork
        {
            RunId = "fallback", CandidateHash = candidate.Hash, DatasetId = "fallback-empty", ExampleIds = examples.Select(e => e.Id).ToList(),
            Settings = new EvaluationSettings { MetricName = "exact_match" },
        };
        var shard = fixture.Grains.GetGrain<IEvaluationShardGrain>(GrainKeys.Shard(work.RunId, work.CandidateHash, work.ShardId));

        await Assert.ThrowsAsync<ShardInputMissingException>(() => shard.EvaluateAsync(work));

        var tampered = work with { Examples = [examples[0], examples[1] with { Json = examples[0].Json }] };
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => shard.EvaluateAsync(tampered));
        Assert.Contains("is not the hash of its JSON", bad.Message, StringComparison.Ordinal);

        var cells = await shard.EvaluateAsync(work with { Examples = examples });
        Assert.Equal(examples.Select(e => e.Id), cells.Select(c => c.ExampleId));
    }
}
