using Dspy.Tests.Sim;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers.Gepa;

/// <summary>GEPA end to end on the simulated LM, which also plays the reflection LM (all scores are sim scores).</summary>
public sealed class GepaSimTests(ITestOutputHelper output)
{
    private static Signature IntentSignature() => Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());

    private async Task<(double Before, double After, GepaResult Result)> RunAsync(string task, Module student, string input, int train, int val, int dev, GepaOptions options)
    {
        var trainset = SampleData.LoadExamples(task, "train", train, input);
        var valset = SampleData.LoadExamples(task, "train", train + val, input).Skip(train).ToList();
        var devset = SampleData.LoadExamples(task, "dev", dev, input);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var result = await new Dspy.Gepa(options).OptimizeAsync(student, trainset, new CompileOptions { Valset = valset });
        var evaluate = new Evaluate(devset, Metrics.Get("exact_match"), numThreads: 4);
        var before = (await evaluate.RunAsync(student)).Score;
        var after = (await evaluate.RunAsync(result.Program)).Score;
        output.WriteLine($"{task} on sim ({dev} dev): before {before}%, after GEPA {after}%; {result.TotalMetricCalls} of {result.MaxMetricCalls} metric calls, "
            + $"{result.Budget.LmCalls} LM calls, {result.Front.Candidates.Count} candidates");
        output.WriteLine(((Predict)result.Program.NamedPredictors()[0].Predictor).Signature.Instructions);
        return (before, after, result);
    }

    [Fact]
    public async Task Gepa_light_raises_intent_dev_accuracy_with_the_sim_as_reflection_lm()
    {
        // auto=light with one predictor and 10 validation examples: 4 * 10 + 380 = 420 metric calls at most.
        var options = new GepaOptions
        {
            Metric = Metrics.Get("exact_match_feedback"),
            Auto = GepaAuto.Light,
            ReflectionLm = new LM("sim", temperature: 1.0, cache: false),
            NumThreads = 4,
        };
        var (before, after, result) = await RunAsync("intent", new Predict(IntentSignature()), "text", 60, 10, 100, options);
        Assert.Equal(420, result.MaxMetricCalls);
        Assert.True(result.TotalMetricCalls <= 420);
        Assert.True(after > before, $"after {after} should beat before {before}");
    }

    [Fact]
    public async Task Gepa_raises_arithmetic_dev_accuracy_with_the_sim_as_reflection_lm()
    {
        var options = new GepaOptions
        {
            Metric = Metrics.Get("exact_match_feedback"),
            MaxMetricCalls = 150,
            ReflectionLm = new LM("sim", temperature: 1.0, cache: false),
            NumThreads = 4,
        };
        var (before, after, result) = await RunAsync("arithmetic", new Predict(Signature.Parse("question -> answer: int")), "question", 30, 10, 60, options);
        Assert.True(result.TotalMetricCalls <= 150);
        Assert.True(after > before, $"after {after} should beat before {before}");
    }
}
