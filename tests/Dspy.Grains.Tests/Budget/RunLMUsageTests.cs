using Dspy.Grains.Tests.Runs;
using Xunit.Abstractions;

namespace Dspy.Grains.Tests.Budget;

/// <summary>
/// A compile run on 3 silos counts its provider calls per phase (baseline, compile, final), with or without limits: the
/// counts in its status are the requests the silos' LMs really sent in each phase, wherever they were sent (the run
/// grain's own calls and the shards' on every silo).
/// </summary>
[Collection(BudgetClusterCollection.Name)]
public sealed class RunLMUsageTests(BudgetClusterFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("random-search", false)]
    [InlineData("random-search", true)]
    [InlineData("copro", false)] // its proposer runs in the run grain and asks for n generations at once (n calls)
    public async Task The_calls_of_each_phase_are_the_requests_the_silos_LMs_sent(string optimizer, bool limited)
    {
        var runId = $"usage-{optimizer}-{(limited ? "limited" : "free")}";
        var before = fixture.SentByPhase();
        var client = new CompileRunClient(fixture.Grains);
        await client.SubmitAsync(runId, CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", optimizer,
            c => c with
            {
                NumCandidatePrograms = 2, Parallelism = 2, ShardSize = 5,
                Budget = limited ? new RunBudgetLimits { MaxCalls = 100_000 } : null,
            });
        var status = await client.WaitAsync(runId);
        var after = fixture.SentByPhase();
        var sent = after.ToDictionary(kv => kv.Key, kv => kv.Value - before.GetValueOrDefault(kv.Key), StringComparer.Ordinal);
        output.WriteLine($"{optimizer}: sent {string.Join(", ", sent)}; counted {string.Join(", ", status.LmUsage!.Select(kv => $"{kv.Key}={kv.Value}"))}");

        Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
        Assert.Equal(0, sent.GetValueOrDefault("none"));
        foreach (var phase in new[] { RunPhases.Baseline, RunPhases.Compile, RunPhases.Final })
        {
            Assert.Equal(sent.GetValueOrDefault(phase), RunPhases.Of(status.LmUsage, phase).Calls);
        }
        // One uncached call per validation example for the baseline; the optimizer's calls with their tokens.
        Assert.Equal(CompileRunTests.Val.DistinctBy(e => DatasetExample.From(e).Id).Count(), RunPhases.Of(status.LmUsage, RunPhases.Baseline).Calls);
        var compile = RunPhases.Of(status.LmUsage, RunPhases.Compile);
        Assert.True(compile.Calls > 0 && compile.PromptTokens > 0 && compile.CompletionTokens > 0, compile.ToString());
        // Under limits, the budget's count is the compile phase's; without, the run has no budget.
        if (limited) Assert.Equal(compile.Calls, status.Budget!.Calls);
        else Assert.Null(status.Budget);
    }
}
