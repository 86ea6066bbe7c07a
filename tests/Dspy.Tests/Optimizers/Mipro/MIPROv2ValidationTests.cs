namespace Dspy.Tests.Optimizers.Mipro;

/// <summary>MIPROv2's argument checks, with DSPy's messages.</summary>
public sealed class MIPROv2ValidationTests
{
    private static readonly Metric Exact = Metrics.Get("exact_match");
    private static readonly Predict Student = new(Signature.Parse("question -> answer"));

    private static List<Example> Data(int n) =>
        Enumerable.Range(0, n).Select(i => new Example { ["question"] = $"q{i}", ["answer"] = $"a{i}" }.WithInputs("question")).ToList();

    private static async Task<Exception> CompileErrorAsync(MIPROv2Options options, IReadOnlyList<Example> trainset, IReadOnlyList<Example>? valset = null,
        MIPROv2CompileArgs? args = null)
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        return await Assert.ThrowsAnyAsync<Exception>(() => new MIPROv2(options).OptimizeAsync(Student, trainset, new CompileOptions { Valset = valset }, args));
    }

    [Fact]
    public async Task Auto_with_num_candidates_is_rejected()
    {
        var error = await CompileErrorAsync(new MIPROv2Options { Metric = Exact, NumCandidates = 3 }, Data(10));
        Assert.IsType<ArgumentException>(error);
        Assert.StartsWith("If auto is not None, num_candidates and num_trials cannot be set", error.Message);
    }

    [Fact]
    public async Task Auto_null_needs_num_trials_and_suggests_one()
    {
        var error = await CompileErrorAsync(new MIPROv2Options { Metric = Exact, Auto = null, NumCandidates = 6 }, Data(10));
        Assert.Equal("If auto is None, num_trials must also be provided. Given num_candidates=6, we'd recommend setting num_trials to ~10.", error.Message);
        error = await CompileErrorAsync(new MIPROv2Options { Metric = Exact, Auto = null }, Data(10), args: new MIPROv2CompileArgs { NumTrials = 3 });
        Assert.Equal("If auto is None, num_candidates must also be provided.", error.Message);
    }

    [Fact]
    public async Task Datasets_are_checked()
    {
        Assert.StartsWith("Trainset cannot be empty.", (await CompileErrorAsync(new MIPROv2Options { Metric = Exact }, [])).Message);
        Assert.StartsWith("Trainset must have at least 2 examples if no valset specified.", (await CompileErrorAsync(new MIPROv2Options { Metric = Exact }, Data(1))).Message);
        Assert.StartsWith("Validation set must have at least 1 example.", (await CompileErrorAsync(new MIPROv2Options { Metric = Exact }, Data(3), [])).Message);
    }

    [Fact]
    public async Task Minibatch_larger_than_the_valset_is_rejected()
    {
        var error = await CompileErrorAsync(new MIPROv2Options { Metric = Exact, Auto = null, NumCandidates = 3 }, Data(10), Data(20),
            new MIPROv2CompileArgs { NumTrials = 2 });
        Assert.StartsWith("Minibatch size cannot exceed the size of the valset. Valset size: 20.", error.Message);
    }

    [Fact]
    public async Task Requires_permission_to_run_true_is_an_error()
    {
        var error = await CompileErrorAsync(new MIPROv2Options { Metric = Exact }, Data(10), args: new MIPROv2CompileArgs { RequiresPermissionToRun = true });
        Assert.StartsWith("User confirmation is removed from MIPROv2.", error.Message);
    }

    [Fact]
    public async Task No_lm_anywhere_is_an_error()
    {
        using var _ = Settings.Context(s => s with { Lm = null });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new MIPROv2(Exact).OptimizeAsync(Student, Data(10)));
        Assert.Equal("Either provide both prompt_model and task_model or set a default LM through dspy.configure(lm=...)", error.Message);
    }

    [Fact]
    public void Bad_options_are_rejected_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new MIPROv2(new MIPROv2Options { Metric = Exact, Auto = "extreme" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MIPROv2(new MIPROv2Options { Metric = Exact, TrialParallelism = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MIPROv2(new MIPROv2Options { Metric = Exact, MaxBootstrappedDemos = -1 }));
    }

    [Fact]
    public void Strip_prefix_matches_dspy()
    {
        Assert.Equal("Classify the text.", GroundedProposer.StripPrefix("Proposed Instruction: Classify the text."));
        Assert.Equal("Classify the text.", GroundedProposer.StripPrefix("** Proposed Instruction: \"Classify the text.\""));
        Assert.Equal("one two three four five six: x", GroundedProposer.StripPrefix("Note: one two three four five six: x"));
        Assert.Equal("a b c d e f: keep", GroundedProposer.StripPrefix("a b c d e f: keep"));
    }
}
