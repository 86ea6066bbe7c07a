using Dspy.Tests.Sim;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers;

/// <summary>BootstrapFewShot end to end on the simulated LM with the bundled sample tasks (scores are sim scores).</summary>
public sealed class BootstrapFewShotSimTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-bootstrap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Signature IntentSignature() =>
        Signature.Parse("text -> label: Literal[" + string.Join(", ", IntentSampleGenerator.Labels.Select(l => $"'{l}'")) + "]");

    private async Task<(byte[] Saved, long Calls, Module Program)> CompileAsync(Module student, List<Example> trainset, BootstrapFewShotOptions options, int threads)
    {
        var lm = new LM("sim", cache: false);
        using var _ = Settings.Context(s => s with { Lm = lm, NumThreads = threads });
        var result = await new BootstrapFewShot(options).BootstrapAsync(student, trainset);
        var path = Path.Combine(_dir, $"program-{Guid.NewGuid():N}.json");
        result.Program.Save(path);
        return (await File.ReadAllBytesAsync(path), result.Budget.LmCalls, result.Program);
    }

    [Fact]
    public async Task Intent_bootstrapping_is_byte_identical_across_runs_and_thread_counts_and_beats_zero_shot()
    {
        var train = SampleData.LoadExamples("intent", "train", 60, "text");
        var dev = SampleData.LoadExamples("intent", "dev", 80, "text");
        var options = new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 4, MaxLabeledDemos = 16 };
        var student = new Predict(IntentSignature());

        var sequential = await CompileAsync(student, train, options, threads: 1);
        var again = await CompileAsync(student, train, options, threads: 1);
        var parallel = await CompileAsync(student, train, options, threads: 8);

        Assert.Equal(sequential.Saved, again.Saved);
        Assert.Equal(sequential.Saved, parallel.Saved);
        Assert.Equal(sequential.Calls, parallel.Calls);
        var demos = ((Predict)sequential.Program).Demos;
        Assert.Equal(16, demos.Count);
        Assert.Equal(4, demos.Count(d => d.ContainsKey("augmented")));

        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var evaluate = new Evaluate(dev, Metrics.Get("exact_match"), numThreads: 4);
        var before = (await evaluate.RunAsync(student)).Score;
        var after = (await evaluate.RunAsync(sequential.Program)).Score;
        output.WriteLine($"intent on sim ({dev.Count} dev): zero-shot {before}%, BootstrapFewShot {after}% ({sequential.Calls} LM calls to compile)");
        Assert.True(after > before, $"after {after} should beat before {before}");
    }

    [Fact]
    public async Task Arithmetic_with_chain_of_thought_and_several_rounds_is_deterministic_across_thread_counts()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 30, "question");
        var options = new BootstrapFewShotOptions { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = 4, MaxLabeledDemos = 4, MaxRounds = 3 };
        var student = new ChainOfThought(Signature.Parse("question -> answer: int"));

        var one = await CompileAsync(student, train, options, threads: 1);
        var four = await CompileAsync(student, train, options, threads: 4);

        Assert.Equal(one.Saved, four.Saved);
        Assert.Equal(one.Calls, four.Calls);
        var demos = ((ChainOfThought)one.Program).Predict.Demos;
        Assert.All(demos.Where(d => d.ContainsKey("augmented")), d => Assert.True(d.ContainsKey("reasoning")));
        output.WriteLine($"arithmetic: {demos.Count(d => d.ContainsKey("augmented"))} bootstrapped demos, {one.Calls} LM calls");
    }
}
