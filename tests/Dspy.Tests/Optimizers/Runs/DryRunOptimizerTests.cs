using Dspy.Tests.Sim;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers.Runs;

/// <summary>
/// Dry runs of every optimizer that compiles through <see cref="Teleprompter"/> (BootstrapFewShot and random search are in
/// <see cref="DryRunTests"/>, the fine-tuning ones against the simulator's fine-tuning server in Dspy.Client.Tests): the
/// projection is within 10% of what the real run does, both in provider requests and in the calls the budget counts.
/// </summary>
public sealed class DryRunOptimizerTests(ITestOutputHelper output)
{
    private static readonly Signature Arithmetic = Signature.Parse("question -> answer: int");
    private static readonly Signature Intent = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());

    // Every LM of a run (task, prompt, reflection) answers through one counter, with cold caches of their own.
    private static LM Lm(IChatClient client) => new("sim", client, maxTokens: 256) { CacheStore = new Cache(enableDiskCache: false, enableMemoryCache: true) };

    private async Task AssertProjectionWithinTenPercentAsync(Func<IChatClient, Teleprompter> create, Signature signature, List<Example> train,
        CompileOptions? options = null, bool makesCalls = true)
    {
        var idle = new CountingChatClient();
        DryRunProjection projection;
        using (Settings.Context(s => s with { Lm = Lm(idle), NumThreads = 4 }))
        {
            projection = await DryRun.ProjectAsync(create(idle), new Predict(signature), train, options);
        }

        var client = new CountingChatClient();
        var budget = new LMBudget();
        using (Settings.Context(s => s with { Lm = Lm(client), NumThreads = 4 }))
        using (budget.Install())
        {
            await create(client).CompileAsync(new Predict(signature), train, options);
        }

        output.WriteLine($"projected {projection.ProviderRequests} requests / {projection.Projected.LmCalls} budget calls; "
            + $"real {client.Requests} requests / {budget.Used.LmCalls} budget calls");
        Assert.Equal(0, idle.Requests);
        Assert.False(projection.StoppedByBudget);
        if (makesCalls) Assert.True(client.Requests > 0);
        else Assert.Equal(0, client.Requests);
        Assert.InRange(projection.ProviderRequests, client.Requests * 0.9, client.Requests * 1.1);
        Assert.InRange(projection.Projected.LmCalls, budget.Used.LmCalls * 0.9, budget.Used.LmCalls * 1.1);
    }

    [Fact]
    public Task LabeledFewShot_makes_no_call_and_projects_none() =>
        AssertProjectionWithinTenPercentAsync(_ => new LabeledFewShot(8), Arithmetic, SampleData.LoadExamples("arithmetic", "train", 20, "question"),
            makesCalls: false);

    [Fact]
    public Task KNNFewShot_compiles_without_calls_and_projects_none()
    {
        // KNNFewShot bootstraps on each call of the compiled program, not while compiling.
        var train = SampleData.LoadExamples("intent", "train", 30, "text");
        var vectorizer = HashedTfIdfVectorizer.Fit(train.Select(e => KNN.TextOf(e.Inputs())));
        return AssertProjectionWithinTenPercentAsync(_ => new KNNFewShot(3, train, vectorizer.EmbedAsync,
            new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 3 }), Intent, train, makesCalls: false);
    }

    [Fact]
    public Task COPRO_projection_is_within_ten_percent() =>
        // n > 1 proposals: one budget call, n provider requests; both are compared.
        AssertProjectionWithinTenPercentAsync(_ => new COPRO(new COPROOptions { Metric = Metrics.Get("exact_match"), Breadth = 4, Depth = 2, ProposerExamples = 6 }),
            Arithmetic, SampleData.LoadExamples("arithmetic", "train", 12, "question"));

    [Fact]
    public Task MIPROv2_light_projection_is_within_ten_percent() =>
        AssertProjectionWithinTenPercentAsync(_ => new MIPROv2(Metrics.Get("exact_match")), Arithmetic, SampleData.LoadExamples("arithmetic", "train", 12, "question"),
            new CompileOptions { Valset = SampleData.LoadExamples("arithmetic", "dev", 40, "question") });

    [Fact]
    public Task GEPA_projection_is_within_ten_percent() =>
        AssertProjectionWithinTenPercentAsync(client => new Dspy.Gepa(new GepaOptions
        {
            Metric = Metrics.Get("exact_match_feedback"),
            MaxMetricCalls = 240,
            ReflectionLm = Lm(client),
        }), Arithmetic, SampleData.LoadExamples("arithmetic", "train", 20, "question"));

    [Fact]
    public Task SIMBA_projection_is_within_ten_percent() =>
        AssertProjectionWithinTenPercentAsync(_ => new Dspy.Simba(new SimbaOptions { Metric = Metrics.Get("exact_match"), Bsize = 8, NumCandidates = 4, MaxSteps = 3 }),
            Intent, SampleData.LoadExamples("intent", "train", 24, "text"));

    [Fact]
    public Task InferRules_projection_is_within_ten_percent() =>
        AssertProjectionWithinTenPercentAsync(_ => new Dspy.InferRules(Metrics.Get("exact_match"), numCandidates: 3, maxBootstrappedDemos: 2, maxLabeledDemos: 4),
            Intent, SampleData.LoadExamples("intent", "train", 30, "text"));

    [Fact]
    public Task BetterTogether_prompt_steps_projection_is_within_ten_percent() =>
        // The weight step (fine-tuning) needs the simulator's server: Dspy.Client.Tests' FinetuneDryRunTests.
        AssertProjectionWithinTenPercentAsync(_ => new BetterTogether(Metrics.Get("exact_match"), new Dictionary<string, Teleprompter>
        {
            ["p"] = new BootstrapFewShot(new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 3 }),
            ["r"] = new Dspy.InferRules(Metrics.Get("exact_match"), numCandidates: 2, maxBootstrappedDemos: 1, maxLabeledDemos: 4),
        }, new BetterTogetherOptions { Strategy = "p -> r" }), Intent, SampleData.LoadExamples("intent", "train", 30, "text"),
            new CompileOptions { Valset = SampleData.LoadExamples("intent", "dev", 15, "text") });
}
