using Dspy.Tests.Optimizers.Runs;
using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Mipro;

/// <summary>MIPROv2 under a hard LM call limit: never crossed, and the run ends with the best program it fully evaluated.</summary>
public sealed class MIPROv2BudgetTests
{
    private static async Task<(MIPROv2Result Result, long Requests, LMBudget Budget)> RunAsync(BudgetLimits limits)
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 12, "question");
        var val = SampleData.LoadExamples("arithmetic", "dev", 55, "question");
        var client = new CountingChatClient();
        var budget = new LMBudget(limits);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, cache: false), NumThreads = 4 });
        using var __ = budget.Install();
        var result = await new MIPROv2(Metrics.Get("exact_match")).OptimizeAsync(new Predict(Signature.Parse("question -> answer: int")), train,
            new CompileOptions { Valset = val });
        return (result, client.Requests, budget);
    }

    [Fact]
    public async Task A_call_limit_is_never_crossed_and_the_best_completed_program_is_returned()
    {
        var full = await RunAsync(BudgetLimits.None);
        Assert.False(full.Result.StoppedByBudget);
        var limit = full.Requests * 2 / 3;

        var limited = await RunAsync(new BudgetLimits { MaxCalls = limit });

        Assert.InRange(limited.Requests, 1, limit);
        Assert.True(limited.Result.StoppedByBudget);
        Assert.True(limited.Result.TrialLogs.Count < full.Result.TrialLogs.Count);
        // The trials that completed are the unlimited run's first ones, with the same scores.
        Assert.Equal(full.Result.TrialLogs.Take(limited.Result.TrialLogs.Count).Select(t => (t.TrialNumber, t.Score)),
            limited.Result.TrialLogs.Select(t => (t.TrialNumber, t.Score)));
        Assert.Equal(limited.Result.CandidatePrograms.Max(c => c.Score), limited.Result.Score);
        Assert.True(limited.Result.Score >= limited.Result.DefaultScore);
    }

    [Fact]
    public async Task A_budget_too_small_for_the_baseline_is_an_error()
    {
        await Assert.ThrowsAsync<BudgetExceededException>(() => RunAsync(new BudgetLimits { MaxCalls = 30 }));
    }
}
