using Dspy.Cli;

namespace Dspy.Client.Tests.Cli;

public sealed class MiproCompileOptionsTests
{
    private static readonly Metric Exact = Metrics.Get("exact_match");
    private static readonly LM Task = new("sim", cache: false);
    private static readonly LM Prompt = new("sim", cache: false, temperature: 0.7);

    [Fact]
    public void Mipro_gets_dspys_defaults_and_the_given_flags()
    {
        var mipro = Assert.IsType<MIPROv2>(MiproCompileOptions.CreateMipro("mipro", Exact, null, 4, null, null, null, null, null, null, Task, null));
        Assert.Equal("light", mipro.Options.Auto);
        Assert.Equal(9, mipro.Options.Seed);
        Assert.Equal(4, mipro.Options.MaxBootstrappedDemos);
        Assert.Equal(4, mipro.Options.MaxLabeledDemos);
        Assert.Same(Task, mipro.Options.PromptModel);

        mipro = Assert.IsType<MIPROv2>(MiproCompileOptions.CreateMipro("miprov2", Exact, 3, 2, 2, 0, null, null, null, "medium", Task, Prompt));
        Assert.Equal(("medium", 3, 2, 0, 2), (mipro.Options.Auto, mipro.Options.Seed, mipro.Options.MaxBootstrappedDemos, mipro.Options.MaxLabeledDemos, mipro.Options.NumThreads));
        Assert.Same(Prompt, mipro.Options.PromptModel);
        Assert.Same(Task, mipro.Options.TaskModel);
    }

    [Fact]
    public void Mipro_refuses_flags_it_does_not_take()
    {
        Assert.Equal("--max-rounds does not apply to mipro.",
            Assert.Throws<CliException>(() => MiproCompileOptions.CreateMipro("mipro", Exact, null, 1, null, null, 2, null, null, null, Task, null)).Message);
        Assert.StartsWith("--num-candidates does not apply to mipro",
            Assert.Throws<CliException>(() => MiproCompileOptions.CreateMipro("mipro", Exact, null, 1, null, null, null, 6, null, null, Task, null)).Message);
        Assert.Equal("--max-demos must not be negative.",
            Assert.Throws<CliException>(() => MiproCompileOptions.CreateMipro("mipro", Exact, null, 1, -1, null, null, null, null, null, Task, null)).Message);
    }

    [Fact]
    public void Copro_maps_num_candidates_to_breadth_and_refuses_demo_flags()
    {
        var copro = Assert.IsType<COPRO>(MiproCompileOptions.CreateCopro("copro", Exact, null, 3, null, null, null, 5, null, null, Task, Prompt));
        Assert.Equal((5, 3, 1.4), (copro.Options.Breadth, copro.Options.Depth, copro.Options.InitTemperature));
        Assert.Same(Prompt, copro.Options.PromptModel);
        Assert.Equal(0, copro.Options.ProposerExamples);
        Assert.StartsWith("--max-demos and --max-rounds do not apply to copro",
            Assert.Throws<CliException>(() => MiproCompileOptions.CreateCopro("copro", Exact, null, 1, 2, null, null, null, null, null, Task, null)).Message);
        Assert.Equal("--num-candidates (COPRO's breadth) must be greater than 1.",
            Assert.Throws<CliException>(() => MiproCompileOptions.CreateCopro("copro", Exact, null, 1, null, null, null, 1, null, null, Task, null)).Message);
        Assert.StartsWith("--seed does not apply to copro without --max-labeled",
            Assert.Throws<CliException>(() => MiproCompileOptions.CreateCopro("copro", Exact, 1, 1, null, null, null, null, null, null, Task, null)).Message);
        Assert.Equal("--max-labeled must not be negative.",
            Assert.Throws<CliException>(() => MiproCompileOptions.CreateCopro("copro", Exact, null, 1, null, -1, null, null, null, null, Task, null)).Message);
    }

    [Fact]
    public void Copro_max_labeled_shows_the_proposer_seeded_examples()
    {
        var copro = Assert.IsType<COPRO>(MiproCompileOptions.CreateCopro("copro", Exact, 7, 1, null, 8, null, null, null, null, Task, null));
        Assert.Equal((8, 7), (copro.Options.ProposerExamples, copro.Options.Seed));
    }
}
