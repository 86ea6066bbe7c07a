using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Runs;

/// <summary>InferRules, BetterTogether and BootstrapFinetune under tight LM budgets on the simulated LM: the provider never sees more calls than the limit.</summary>
public sealed class BudgetedOthersTests
{
    private static readonly Signature Intent = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());

    private static async Task<(T? Result, long Requests, LMBudget Budget)> RunAsync<T>(BudgetLimits limits, Func<Task<T>> run)
    {
        var client = new CountingChatClient();
        var budget = new LMBudget(limits);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, cache: false, maxTokens: 256), NumThreads = 4 });
        using var __ = budget.Install();
        var result = await run();
        return (result, client.Requests, budget);
    }

    private static Task<InferRulesResult> InferAsync() =>
        new Dspy.InferRules(Metrics.Get("exact_match"), numCandidates: 4, maxBootstrappedDemos: 2, maxLabeledDemos: 4)
            .InferAsync(new Predict(Intent), SampleData.LoadExamples("intent", "train", 40, "text"));

    [Fact]
    public async Task InferRules_under_a_call_limit_keeps_the_candidates_completed_within_it()
    {
        var full = await RunAsync(BudgetLimits.None, InferAsync);
        Assert.Equal(4, full.Result!.Candidates.Count);
        var limit = full.Requests * 3 / 4;

        var limited = await RunAsync(new BudgetLimits { MaxCalls = limit }, InferAsync);

        Assert.InRange(limited.Requests, 1, limit);
        Assert.True(limited.Budget.IsExhausted);
        Assert.InRange(limited.Result!.Candidates.Count, 1, 3);
        // The completed candidates are the unlimited run's first ones, with the same scores.
        Assert.Equal(full.Result.Candidates.Take(limited.Result.Candidates.Count).Select(c => c.Score), limited.Result.Candidates.Select(c => c.Score));

        await Assert.ThrowsAsync<BudgetExceededException>(() => RunAsync(new BudgetLimits { MaxCalls = 3 }, InferAsync));
    }

    [Fact]
    public async Task BetterTogether_under_a_call_limit_returns_the_best_step_completed_within_it()
    {
        var train = SampleData.LoadExamples("intent", "train", 40, "text");
        var val = SampleData.LoadExamples("intent", "dev", 20, "text");
        Task<BetterTogetherResult> Run() => new BetterTogether(Metrics.Get("exact_match"), new Dictionary<string, Teleprompter>
        {
            ["p"] = new LabeledFewShot(8),
            ["r"] = new Dspy.InferRules(Metrics.Get("exact_match"), numCandidates: 2, maxBootstrappedDemos: 1, maxLabeledDemos: 4),
        }, new BetterTogetherOptions { Strategy = "p -> r" }).RunAsync(new Predict(Intent), train, new CompileOptions { Valset = val });

        var full = await RunAsync(BudgetLimits.None, Run);
        Assert.Equal(3, full.Result!.CandidatePrograms.Count);
        // Enough for the baseline and the first step's validation (no LM call to compile), not for the second step.
        var limited = await RunAsync(new BudgetLimits { MaxCalls = 50 }, Run);

        Assert.InRange(limited.Requests, 1, 50);
        Assert.True(limited.Budget.IsExhausted);
        Assert.Equal(["", "p"], limited.Result!.CandidatePrograms.Select(c => c.Strategy).Order());
        Assert.False(limited.Result.FlagCompilationErrorOccurred);
    }

    [Fact]
    public async Task BootstrapFinetune_stops_tracing_at_the_limit_and_starts_no_job()
    {
        var student = new Predict(Intent);
        var calls = 0;
        var limited = await Assert.ThrowsAsync<BudgetExceededException>(async () =>
        {
            var run = await RunAsync(new BudgetLimits { MaxCalls = 5 }, async () =>
            {
                student.SetLm(Settings.Current.Lm);
                return await new BootstrapFinetune(Metrics.Get("exact_match"), provider: new ThrowingProvider(() => calls++))
                    .CompileAsync(student, SampleData.LoadExamples("intent", "train", 30, "text"));
            });
        });
        Assert.InRange(limited.Used.LmCalls, 0, 5);
        Assert.Equal(0, calls);
    }

    private sealed class ThrowingProvider(Action called) : FinetuneProvider
    {
        public override bool CanFinetune(BaseLM lm) => true;

        public override Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData, TrainDataFormat trainDataFormat,
            IReadOnlyDictionary<string, object?>? trainKwargs, CancellationToken cancellationToken = default)
        {
            called();
            throw new InvalidOperationException("no job may start");
        }
    }
}
