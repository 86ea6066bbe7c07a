using Dspy.Grains.Tests.Runs;
using Xunit.Abstractions;

namespace Dspy.Grains.Tests.Budget;

/// <summary>
/// A compile run with hard LM limits on 3 silos: the optimizer's evaluations run in shards on every silo, all charged to
/// the run's one budget; when it runs out the optimizer stops gracefully with the best program so far.
/// </summary>
[Collection(BudgetClusterCollection.Name)]
public sealed class BudgetedRunTests(BudgetClusterFixture fixture, ITestOutputHelper output)
{
    private const long TightLimit = 100;

    private static CompileRunConfig Configure(CompileRunConfig c, RunBudgetLimits? budget) =>
        c with { NumCandidatePrograms = 4, Parallelism = 2, ShardSize = 3, Budget = budget };

    private async Task<(CompileRunStatus Status, List<RunProgressEvent> Events, long Budgeted)> RunAsync(string runId, RunBudgetLimits? budget)
    {
        var before = fixture.BudgetedBySilo().Values.Sum();
        var client = new CompileRunClient(fixture.Grains);
        var events = new List<RunProgressEvent>();
        await client.SubmitAsync(runId, CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", "random-search",
            c => Configure(c, budget));
        var status = await client.WaitAsync(runId, events.Add);
        return (status, events, fixture.BudgetedBySilo().Values.Sum() - before);
    }

    [Fact]
    public async Task A_tight_call_limit_is_never_crossed_on_three_silos_and_the_run_ends_with_the_best_program_within_it()
    {
        // Enough for the first round of random search (two candidates evaluated at once), not for the second.
        const long maxCalls = TightLimit;
        var bySiloBefore = fixture.BudgetedBySilo();
        var (status, events, budgeted) = await RunAsync("budget-run-tight", new RunBudgetLimits { MaxCalls = maxCalls });

        Assert.Equal(CompileRunState.Completed, status.State);
        Assert.NotNull(status.ResultStateJson);
        Assert.NotNull(status.OptimizedScore);
        // Every request the silos' LMs sent under the budget was charged to it, and there were never more than the limit.
        Assert.NotNull(status.Budget);
        Assert.True(status.Budget.Exhausted, status.Budget.ToString());
        Assert.InRange(budgeted, 1, maxCalls);
        Assert.Equal(budgeted, status.Budget.Calls);
        Assert.Equal(0, status.Budget.ReservedCalls);
        Assert.True(status.Budget.PromptTokens > 0);
        // The calls came from shards on more than one silo.
        var bySilo = fixture.BudgetedBySilo();
        output.WriteLine($"budget {status.Budget}; sent under it {budgeted}; by silo {string.Join(", ", bySilo)}; score {status.BaselineScore} -> {status.OptimizedScore}");
        Assert.True(bySilo.Count(kv => kv.Value > bySiloBefore.GetValueOrDefault(kv.Key)) >= 2, string.Join(", ", bySilo));
        var exhausted = Assert.Single(events, e => e.Kind == RunBudgetScope.ExhaustedEventKind);
        Assert.Contains("ran out", exhausted.Message, StringComparison.Ordinal);
        Assert.Contains($"{status.Budget.Calls} calls", exhausted.Message, StringComparison.Ordinal);
        Assert.Equal("completed", events[^1].Kind);
    }

    [Fact]
    public async Task A_loose_limit_changes_nothing_and_reports_the_budget_used()
    {
        var (free, _, freeBudgeted) = await RunAsync("budget-run-free", null);
        var (loose, events, budgeted) = await RunAsync("budget-run-loose", new RunBudgetLimits { MaxCalls = 100_000, MaxTokens = 100_000_000 });

        output.WriteLine($"free: {free.OptimizedScore}; loose: {loose.Budget}, sent under it {budgeted}");
        Assert.Equal(CompileRunState.Completed, loose.State);
        Assert.Equal(free.ResultStateJson, loose.ResultStateJson);
        Assert.Null(free.Budget);
        Assert.Equal(0, freeBudgeted);
        Assert.NotNull(loose.Budget);
        Assert.False(loose.Budget.Exhausted);
        Assert.Equal(budgeted, loose.Budget.Calls);
        Assert.True(budgeted > TightLimit, $"the unconstrained run makes {budgeted} calls, so a limit of {TightLimit} must stop it");
        Assert.Single(events, e => e.Kind == RunBudgetScope.UsedEventKind);
    }

    [Fact]
    public async Task The_optimizers_own_calls_in_the_run_grain_are_charged_to_the_same_budget_as_the_shards()
    {
        var proposalsBefore = fixture.BudgetedProposals();
        var before = fixture.BudgetedBySilo().Values.Sum();
        var client = new CompileRunClient(fixture.Grains);
        await client.SubmitAsync("budget-run-copro", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", "copro",
            c => c with { NumCandidatePrograms = 2, ShardSize = 5, Budget = new RunBudgetLimits { MaxCalls = 100_000 } });
        var status = await client.WaitAsync("budget-run-copro");
        var budgeted = fixture.BudgetedBySilo().Values.Sum() - before;
        var proposals = fixture.BudgetedProposals() - proposalsBefore;
        output.WriteLine($"copro: {status.Budget}; sent under it {budgeted}, of which proposals {proposals}");

        Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
        Assert.NotNull(status.Budget);
        // COPRO's proposer runs in the run grain, its evaluations in the shards: both are in the one count.
        Assert.True(proposals > 0, "no proposer call was made under the budget");
        Assert.True(budgeted > proposals, $"{budgeted} budgeted calls, {proposals} proposals");
        Assert.Equal(budgeted, status.Budget.Calls);
    }
}
