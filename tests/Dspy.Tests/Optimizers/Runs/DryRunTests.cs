using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Runs;

/// <summary>Dry runs: the projection on the simulated LM against the calls a real run makes, and that it spends nothing.</summary>
public sealed class DryRunTests
{
    private static readonly Signature Arithmetic = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "arithmetic", "signature.txt")).Trim());

    // The real run: the LM behind a counter, with a cold cache of its own.
    private static async Task<(long Requests, OptimizerBudget Used)> RunAsync(Teleprompter optimizer, List<Example> train, CompileOptions options)
    {
        var client = new CountingChatClient();
        var lm = new LM("sim", client, maxTokens: 256) { CacheStore = new Cache(enableDiskCache: false, enableMemoryCache: true) };
        var budget = new LMBudget();
        using var _ = Settings.Context(s => s with { Lm = lm, NumThreads = 4 });
        using var __ = budget.Install();
        await optimizer.CompileAsync(new Predict(Arithmetic), train, options);
        return (client.Requests, budget.Used);
    }

    private static async Task<(DryRunProjection Projection, CountingChatClient Client, Cache Cache)> ProjectAsync(Teleprompter optimizer, List<Example> train,
        CompileOptions options)
    {
        // The configured LM must not be called, nor its cache touched: the projection answers every request.
        var client = new CountingChatClient();
        var cache = new Cache(enableDiskCache: false, enableMemoryCache: true);
        var lm = new LM("sim", client, maxTokens: 256) { CacheStore = cache };
        using var _ = Settings.Context(s => s with { Lm = lm, NumThreads = 4 });
        var projection = await DryRun.ProjectAsync(optimizer, new Predict(Arithmetic), train, options);
        return (projection, client, cache);
    }

    [Fact]
    public async Task Bootstrap_few_shot_projection_is_within_ten_percent_of_the_real_calls_and_spends_nothing()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 30, "question");
        var optimizer = new BootstrapFewShot(new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 6, MaxRounds = 2 });

        var (projection, client, cache) = await ProjectAsync(optimizer, train, new CompileOptions());
        var real = await RunAsync(optimizer, train, new CompileOptions());

        Assert.Equal(0, client.Requests);
        Assert.Equal(0, cache.MemoryCount);
        Assert.True(real.Requests > 0);
        Assert.InRange(projection.Projected.LmCalls, real.Requests * 0.9, real.Requests * 1.1);
        Assert.InRange(projection.Projected.PromptTokens + projection.Projected.CompletionTokens,
            (real.Used.PromptTokens + real.Used.CompletionTokens) * 0.9, (real.Used.PromptTokens + real.Used.CompletionTokens) * 1.1);
        Assert.NotNull(projection.Projected.Cost);
        Assert.False(projection.StoppedByBudget);
    }

    [Fact]
    public async Task Random_search_projection_is_within_ten_percent_of_the_real_calls()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 20, "question");
        var val = SampleData.LoadExamples("arithmetic", "dev", 15, "question");
        var optimizer = new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
        {
            Metric = Metrics.Get("exact_match"),
            NumCandidatePrograms = 3,
            MaxLabeledDemos = 8,
        });
        var options = new CompileOptions { Valset = val };

        var (projection, client, _) = await ProjectAsync(optimizer, train, options);
        var real = await RunAsync(optimizer, train, options);

        Assert.Equal(0, client.Requests);
        Assert.InRange(projection.Projected.LmCalls, real.Requests * 0.9, real.Requests * 1.1);
        Assert.Equal("sim", Assert.Single(projection.ByModel).Key);
    }

    [Fact]
    public async Task A_projection_under_limits_says_the_run_would_be_stopped()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 20, "question");
        var optimizer = new BootstrapFewShot(new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 6 });
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", new CountingChatClient(), maxTokens: 256), NumThreads = 2 });

        var projection = await DryRun.ProjectAsync(optimizer, new Predict(Arithmetic), train, limits: new BudgetLimits { MaxCalls = 2 });

        Assert.True(projection.StoppedByBudget);
        Assert.InRange(projection.Projected.LmCalls, 1, 2);
    }

    [Fact]
    public async Task A_projection_does_not_write_the_evaluation_store()
    {
        var dir = Directory.CreateTempSubdirectory("dspy-dryrun-").FullName;
        try
        {
            using var run = RunFolder.Open(dir, new RunManifest(new Dictionary<string, object?> { ["task"] = "arithmetic" }, 0));
            var train = SampleData.LoadExamples("arithmetic", "train", 10, "question");
            var optimizer = new BootstrapFewShot(new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 3 });
            using var _ = Settings.Context(s => s with { Lm = new LM("sim", new CountingChatClient(), maxTokens: 256) { CacheStore = run.Cache } });

            var projection = await DryRun.ProjectAsync(optimizer, new Predict(Arithmetic), train, new CompileOptions { Evaluator = run.CreateEvaluator() });

            Assert.True(projection.Projected.LmCalls > 0);
            Assert.Equal(0, run.Evaluations.Count);
            Assert.Equal(0, new FileInfo(run.Evaluations.Path).Length);
            Assert.Equal(0, run.Cache.MemoryCount);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
