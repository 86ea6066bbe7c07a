using Dspy.Tests.Optimizers.Runs;
using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Copro;

/// <summary>COPRO under a hard LM call limit: never crossed, and the run ends with the best candidate it evaluated.</summary>
public sealed class COPROBudgetTests
{
    private static async Task<(COPROResult Result, long Calls)> RunAsync(BudgetLimits limits)
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 20, "question");
        var client = new CountingChatClient();
        var budget = new LMBudget(limits);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, cache: false), NumThreads = 4 });
        using var __ = budget.Install();
        var result = await new COPRO(new COPROOptions { Metric = Metrics.Get("exact_match") })
            .OptimizeAsync(new Predict(Signature.Parse("question -> answer: int")), train);
        // An n > 1 proposal is n calls for the budget: the simulator receives n requests.
        return (result, budget.Used.LmCalls);
    }

    [Fact]
    public async Task A_call_limit_is_never_crossed_and_the_best_evaluated_candidate_is_returned()
    {
        var full = await RunAsync(BudgetLimits.None);
        Assert.False(full.Result.StoppedByBudget);
        Assert.Equal(30, full.Result.TotalCalls);

        var limited = await RunAsync(new BudgetLimits { MaxCalls = full.Calls / 2 });

        Assert.InRange(limited.Calls, 1, full.Calls / 2);
        Assert.True(limited.Result.StoppedByBudget);
        Assert.InRange(limited.Result.TotalCalls, 1, 29);
        Assert.Equal(limited.Result.CandidatePrograms.Max(c => c.Score), limited.Result.CandidatePrograms[0].Score);
    }
}
