namespace Dspy.Tests.Optimizers.Registry;

public sealed class OptimizerRegistryTests
{
    private static readonly Metric Exact = Metrics.Get("exact_match");
    private static readonly LM Task = new("sim", cache: false);
    private static readonly LM Prompt = new("sim", cache: false, temperature: 0.7);

    private static OptimizerArguments Args(string name) => new() { Name = name, Metric = Exact, TaskLm = Task };

    [Fact]
    public void Finds_optimizers_by_name_and_alias_case_insensitively()
    {
        Assert.Equal("mipro", OptimizerRegistry.Find("MIPROv2").Name);
        Assert.Equal("random-search", OptimizerRegistry.Find("bootstrap-rs").Name);
        Assert.Null(OptimizerRegistry.TryFind("nope"));
        var ex = Assert.Throws<ArgumentException>(() => OptimizerRegistry.Find("nope"));
        Assert.StartsWith("--optimizer: unknown optimizer 'nope'; known: labeled-fewshot", ex.Message, StringComparison.Ordinal);
        Assert.Equal(OptimizerRegistry.All.Count, OptimizerRegistry.All.Select(o => o.Name).Distinct().Count());
    }

    [Fact]
    public void Create_resolves_aliases_so_messages_use_the_registered_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("miprov2") with { MaxRounds = 2 }));
        Assert.Equal("--max-rounds does not apply to mipro.", ex.Message);
    }

    [Fact]
    public void Mipro_gets_dspys_defaults_and_the_given_arguments()
    {
        var mipro = Assert.IsType<MIPROv2>(OptimizerRegistry.Create(Args("mipro") with { NumThreads = 4 }));
        Assert.Equal(("light", 9, 4, 4, 1), (mipro.Options.Auto, mipro.Options.Seed, mipro.Options.MaxBootstrappedDemos, mipro.Options.MaxLabeledDemos, mipro.Options.TrialParallelism));
        Assert.Same(Task, mipro.Options.PromptModel);

        mipro = Assert.IsType<MIPROv2>(OptimizerRegistry.Create(Args("mipro") with
        {
            Seed = 3, NumThreads = 2, MaxDemos = 2, MaxLabeled = 0, Auto = "medium", PromptLm = Prompt, Parallelism = 4,
        }));
        Assert.Equal(("medium", 3, 2, 0, 2, 4), (mipro.Options.Auto, mipro.Options.Seed, mipro.Options.MaxBootstrappedDemos, mipro.Options.MaxLabeledDemos,
            mipro.Options.NumThreads, mipro.Options.TrialParallelism));
        Assert.Same(Prompt, mipro.Options.PromptModel);
        Assert.Same(Task, mipro.Options.TaskModel);
    }

    [Fact]
    public void Mipro_refuses_arguments_it_does_not_take()
    {
        Assert.StartsWith("--num-candidates does not apply to mipro",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("mipro") with { NumCandidates = 6 })).Message, StringComparison.Ordinal);
        Assert.Equal("--max-demos must not be negative.",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("mipro") with { MaxDemos = -1 })).Message);
        Assert.Equal("--auto must be light, medium or heavy, got 'huge'.",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("mipro") with { Auto = "huge" })).Message);
    }

    [Fact]
    public void Copro_maps_num_candidates_to_breadth_and_refuses_demo_arguments()
    {
        var copro = Assert.IsType<COPRO>(OptimizerRegistry.Create(Args("copro") with { NumThreads = 3, NumCandidates = 5, PromptLm = Prompt, Parallelism = 2 }));
        Assert.Equal((5, 3, 1.4, 2), (copro.Options.Breadth, copro.Options.Depth, copro.Options.InitTemperature, copro.Options.CandidateParallelism));
        Assert.Same(Prompt, copro.Options.PromptModel);
        Assert.Equal(0, copro.Options.ProposerExamples);
        Assert.StartsWith("--max-demos and --max-rounds do not apply to copro",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("copro") with { MaxDemos = 2 })).Message, StringComparison.Ordinal);
        Assert.Equal("--num-candidates (COPRO's breadth) must be greater than 1.",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("copro") with { NumCandidates = 1 })).Message);
        Assert.StartsWith("--seed does not apply to copro without --max-labeled",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("copro") with { Seed = 1 })).Message, StringComparison.Ordinal);
        Assert.Equal("--max-labeled must not be negative.",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args("copro") with { MaxLabeled = -1 })).Message);
        // Opt-in, not DSPy 3.3: the first proposals see --max-labeled training examples drawn with --seed.
        var shown = Assert.IsType<COPRO>(OptimizerRegistry.Create(Args("copro") with { MaxLabeled = 8, Seed = 7 }));
        Assert.Equal((8, 7), (shown.Options.ProposerExamples, shown.Options.Seed));
    }

    [Theory]
    [InlineData("random-search")]
    [InlineData("gepa")]
    public void Parallelism_maps_to_the_optimizers_round_size(string name)
    {
        var optimizer = OptimizerRegistry.Create(Args(name) with { Parallelism = 3 });
        var k = optimizer switch
        {
            BootstrapFewShotWithRandomSearch rs => rs.Options.CandidateParallelism,
            Dspy.Gepa gepa => gepa.Options.ProposalParallelism,
            _ => throw new InvalidOperationException(optimizer.GetType().Name),
        };
        Assert.Equal(3, k);
        Assert.Equal("--parallel-trials must be at least 1, got 0.",
            Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args(name) with { Parallelism = 0 })).Message);
    }

    [Theory]
    [InlineData("labeled-fewshot")]
    [InlineData("bootstrap-fewshot")]
    [InlineData("simba")]
    [InlineData("knn-fewshot")]
    [InlineData("infer-rules")]
    public void Optimizers_without_rounds_refuse_parallel_trials(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(Args(name) with { Parallelism = 2 }));
        Assert.Equal($"--parallel-trials does not apply to {name}.", ex.Message);
    }
}
