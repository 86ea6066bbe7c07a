using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Runs;

/// <summary>
/// KNNFewShot and BootstrapFinetune under call limits far below what they need, on the simulated LM: the provider never
/// sees more requests than the limit, and the run either stops with what it completed or fails with the budget's error.
/// </summary>
public sealed class BudgetedKnnAndFinetuneTests
{
    private static readonly Signature Intent = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());

    private static async Task<(T? Result, Exception? Error, long Requests, LMBudget Budget)> RunAsync<T>(BudgetLimits limits, Func<Task<T>> run)
    {
        var client = new CountingChatClient();
        var budget = new LMBudget(limits);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, cache: false, maxTokens: 256), NumThreads = 4 });
        using var __ = budget.Install();
        try
        {
            return (await run(), null, client.Requests, budget);
        }
        catch (Exception e)
        {
            return (default, e, client.Requests, budget);
        }
    }

    private static KNNFewShot Knn(List<Example> train)
    {
        var vectorizer = HashedTfIdfVectorizer.Fit(train.Select(e => KNN.TextOf(e.Inputs())));
        return new KNNFewShot(6, train, vectorizer.EmbedAsync, new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 6 });
    }

    [Fact]
    public async Task KNNFewShot_compiles_within_a_zero_call_limit_and_each_call_stays_within_its_limit()
    {
        var train = SampleData.LoadExamples("intent", "train", 40, "text");
        var question = SampleData.LoadExamples("intent", "dev", 1, "text")[0].Inputs().ToDictionary();

        // Compiling makes no LM call: a limit of 0 is enough.
        var compiled = await RunAsync(new BudgetLimits { MaxCalls = 0 }, () => Knn(train).CompileAsync(new Predict(Intent), train));
        Assert.Null(compiled.Error);
        Assert.Equal(0, compiled.Requests);
        var program = Assert.IsType<KNNFewShotProgram>(compiled.Result);

        // Unlimited, a call bootstraps its 6 neighbours (6 teacher calls) and then answers: 7 requests.
        var full = await RunAsync(BudgetLimits.None, () => program.CallAsync(question));
        Assert.Null(full.Error);
        Assert.Equal(7, full.Requests);

        // With 3 calls the bootstrapping stops after 3 neighbours (gracefully: BootstrapFewShot keeps what it completed),
        // and the answer itself no longer fits: the call fails with the budget's error, having sent at most 3 requests.
        var limited = await RunAsync(new BudgetLimits { MaxCalls = 3 }, () => program.CallAsync(question));
        Assert.IsType<BudgetExceededException>(limited.Error);
        Assert.InRange(limited.Requests, 1, 3);
        Assert.InRange(limited.Budget.Used.LmCalls, 1, 3);

        // The bootstrapping alone under that limit returns a program with the demos it completed.
        var partial = await RunAsync(new BudgetLimits { MaxCalls = 3 }, () => program.CompileForAsync(question));
        Assert.Null(partial.Error);
        Assert.InRange(partial.Requests, 1, 3);
        Assert.InRange(partial.Result!.Predictors()[0].Demos.Count, 0, 6);
    }

    [Fact]
    public async Task BootstrapFinetune_under_a_tight_limit_sends_at_most_the_limit_and_starts_no_job_but_an_exact_limit_compiles()
    {
        var train = SampleData.LoadExamples("intent", "train", 30, "text");
        var provider = new RecordingProvider();
        Task<BootstrapFinetuneResult> Run()
        {
            var student = new Predict(Intent);
            student.SetLm(Settings.Current.Lm);
            return new BootstrapFinetune(Metrics.Get("exact_match"), provider: provider).FinetuneAsync(student, train);
        }

        // Tracing needs one call per training example.
        var exact = await RunAsync(new BudgetLimits { MaxCalls = train.Count }, Run);
        Assert.Null(exact.Error);
        Assert.Equal(train.Count, exact.Requests);
        Assert.Equal(1, provider.Jobs);

        // A tenth of that: the tracing evaluation (BootstrapFinetune's only trial) is refused part way, so the optimizer has
        // nothing to return; the compile fails with the budget's error and starts no job (docs/runs.md, graceful stop).
        var limited = await RunAsync(new BudgetLimits { MaxCalls = 3 }, Run);
        Assert.IsType<BudgetExceededException>(limited.Error);
        Assert.InRange(limited.Requests, 0, 3);
        Assert.InRange(limited.Budget.Used.LmCalls, 0, 3);
        Assert.Equal(1, provider.Jobs);
    }

    private sealed class RecordingProvider : FinetuneProvider
    {
        private int _jobs;

        public int Jobs => Volatile.Read(ref _jobs);

        public override bool CanFinetune(BaseLM lm) => true;

        public override Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData, TrainDataFormat trainDataFormat,
            IReadOnlyDictionary<string, object?>? trainKwargs, CancellationToken cancellationToken = default)
        {
            var n = Interlocked.Increment(ref _jobs);
            return Task.FromResult(new FinetuneJob(lm.Model, $"{lm.Model}-ft-{n}", lm, $"job-{n}", $"file-{n}", trainData.Count, 1));
        }
    }
}
