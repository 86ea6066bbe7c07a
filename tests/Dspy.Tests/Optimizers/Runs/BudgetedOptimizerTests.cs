using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Runs;

/// <summary>
/// Optimizers under tight budgets on the simulated LM: the budget is never exceeded (the provider sees no more calls than
/// the limit) and the run ends gracefully with the best program found within it.
/// </summary>
public sealed class BudgetedOptimizerTests
{
    private static readonly Signature Arithmetic = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "arithmetic", "signature.txt")).Trim());

    private static BootstrapFewShotWithRandomSearch RandomSearch() => new(new BootstrapFewShotWithRandomSearchOptions
    {
        Metric = Metrics.Get("exact_match"),
        NumCandidatePrograms = 3,
        MaxLabeledDemos = 8,
        NumThreads = 4,
    });

    private static async Task<(BootstrapFewShotWithRandomSearchResult Result, long Requests, LMBudget Budget)> SearchAsync(BudgetLimits limits)
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 20, "question");
        var val = SampleData.LoadExamples("arithmetic", "dev", 15, "question");
        var client = new CountingChatClient();
        var budget = new LMBudget(limits);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, cache: false, maxTokens: 256), NumThreads = 4 });
        using var __ = budget.Install();
        var result = await RandomSearch().SearchAsync(new Predict(Arithmetic), train, new CompileOptions { Valset = val });
        return (result, client.Requests, budget);
    }

    [Fact]
    public async Task Random_search_under_a_call_limit_stops_with_the_best_completed_candidate()
    {
        var full = await SearchAsync(BudgetLimits.None);
        Assert.Equal(6, full.Result.CandidatePrograms.Count);
        var limit = full.Requests / 2;

        var limited = await SearchAsync(new BudgetLimits { MaxCalls = limit });

        Assert.InRange(limited.Requests, 1, limit);
        Assert.InRange(limited.Budget.Used.LmCalls, 1, limit);
        Assert.True(limited.Budget.IsExhausted);
        var done = limited.Result.CandidatePrograms.Count;
        Assert.InRange(done, 1, 5);
        // The completed candidates are the unlimited run's first ones, with the same scores, and the best of them wins.
        var fullBySeed = full.Result.CandidatePrograms.ToDictionary(c => c.Seed, c => c.Score);
        Assert.All(limited.Result.CandidatePrograms, c => Assert.Equal(fullBySeed[c.Seed], c.Score));
        Assert.Equal(Enumerable.Range(-3, done), limited.Result.CandidatePrograms.Select(c => c.Seed).Order());
        Assert.Equal(limited.Result.CandidatePrograms.Max(c => c.Score), limited.Result.BestScore);
    }

    [Fact]
    public async Task Random_search_under_a_token_limit_never_crosses_it()
    {
        var limits = new BudgetLimits { MaxTokens = 20_000 };
        var limited = await SearchAsync(limits);
        var used = limited.Budget.Used;
        Assert.InRange(used.PromptTokens + used.CompletionTokens, 1, 20_000);
        Assert.True(limited.Budget.IsExhausted);
        Assert.NotEmpty(limited.Result.CandidatePrograms);
    }

    [Fact]
    public async Task A_budget_too_small_for_any_candidate_is_an_error_naming_the_budget()
    {
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => SearchAsync(new BudgetLimits { MaxCalls = 5 }));
        Assert.Contains("calls limit", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Used.LmCalls, 0, 5);
    }

    [Fact]
    public async Task Bootstrap_few_shot_under_a_call_limit_keeps_the_demos_bootstrapped_within_it()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 20, "question");
        var client = new CountingChatClient();
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 3 });
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, cache: false, maxTokens: 256), NumThreads = 2 });
        using var __ = budget.Install();
        var optimizer = new BootstrapFewShot(new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 8, MaxLabeledDemos = 8, NumThreads = 2 });

        var result = await optimizer.BootstrapAsync(new Predict(Arithmetic), train);

        Assert.InRange(client.Requests, 1, 3);
        Assert.True(budget.IsExhausted);
        Assert.InRange(result.BootstrappedIndices.Count, 0, 2);
        Assert.True(result.Program.Compiled);
    }
}
