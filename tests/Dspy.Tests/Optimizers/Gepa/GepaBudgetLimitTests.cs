using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Gepa;

/// <summary>GEPA and SIMBA under a hard LM budget: never over it, and the best program so far comes back.</summary>
public sealed class GepaBudgetLimitTests
{
    [Theory]
    [InlineData(25)]
    [InlineData(60)]
    [InlineData(137)]
    public async Task Gepa_never_exceeds_an_lm_call_budget_and_returns_a_program(long maxCalls)
    {
        var trainset = SampleData.LoadExamples("arithmetic", "train", 20, "question");
        var budget = new LMBudget(new BudgetLimits { MaxCalls = maxCalls });
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        using var installed = budget.Install();
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = Metrics.Get("exact_match_feedback"), MaxMetricCalls = 2000, ReflectionLm = new LM("sim", cache: false) });

        var result = await gepa.OptimizeAsync(new Predict(Signature.Parse("question -> answer: int")), trainset);

        Assert.InRange(budget.Used.LmCalls, 1, maxCalls);
        Assert.True(budget.IsExhausted);
        Assert.NotNull(result.Program);
        Assert.True(result.TotalMetricCalls < 2000);
    }

    [Fact]
    public async Task Gepa_without_budget_for_the_seed_evaluation_throws_the_refusal()
    {
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 5 });
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        using var installed = budget.Install();
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = Metrics.Get("exact_match"), MaxMetricCalls = 100, ReflectionLm = new LM("sim", cache: false) });

        await Assert.ThrowsAsync<BudgetExceededException>(() =>
            gepa.OptimizeAsync(new Predict(Signature.Parse("question -> answer: int")), SampleData.LoadExamples("arithmetic", "train", 20, "question")));
        Assert.InRange(budget.Used.LmCalls, 0, 5);
    }

    [Theory]
    [InlineData(150)]
    [InlineData(400)]
    public async Task Simba_never_exceeds_an_lm_call_budget(long maxCalls)
    {
        var trainset = SampleData.LoadExamples("intent", "train", 24, "text");
        var budget = new LMBudget(new BudgetLimits { MaxCalls = maxCalls });
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        using var installed = budget.Install();
        var simba = new Dspy.Simba(new SimbaOptions { Metric = Metrics.Get("exact_match"), Bsize = 8, NumCandidates = 4, MaxSteps = 8 });

        var result = await simba.OptimizeAsync(new Predict(Signature.Parse("text -> label")), trainset);

        Assert.InRange(budget.Used.LmCalls, 1, maxCalls);
        Assert.NotNull(result.Program);
        Assert.True(result.TrialLogs.Count < 8);
    }
}
