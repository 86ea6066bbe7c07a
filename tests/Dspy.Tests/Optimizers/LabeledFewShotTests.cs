using Dspy.Tests.Modules;
using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers;

public class LabeledFewShotTests
{
    internal static List<Example> Trainset(int n) =>
        Enumerable.Range(0, n).Select(i => new Example(new Dictionary<string, object?> { ["question"] = $"q{i}", ["answer"] = $"a{i}" }).WithInputs("question")).ToList();

    private static IEnumerable<string> Questions(IPredictor p) => p.Demos.Select(d => (string)d["question"]!);

    [Fact]
    public async Task Sampling_draws_what_python_random_0_draws_with_one_generator_across_predictors()
    {
        var student = new Outer();
        var compiled = await new LabeledFewShot(k: 3).CompileAsync(student, Trainset(10));

        var predictors = compiled.NamedPredictors();
        Assert.Equal(["final", "hop.predict1"], predictors.Select(p => p.Name));
        // random.Random(0): sample(range(10), 3) -> [6, 9, 0], then [4, 8, 7].
        Assert.Equal(["q6", "q9", "q0"], Questions(predictors[0].Predictor));
        Assert.Equal(["q4", "q8", "q7"], Questions(predictors[1].Predictor));
        Assert.False(compiled.Compiled);
        Assert.All(student.Predictors(), p => Assert.Empty(p.Demos));
    }

    [Fact]
    public async Task Another_seed_draws_what_python_random_of_that_seed_draws()
    {
        var compiled = await new LabeledFewShot(k: 3, seed: 1).CompileAsync(new Predict(TestSignatures.QA()), Trainset(10));

        Assert.Equal(["q2", "q1", "q4"], Questions((Predict)compiled));
    }

    [Fact]
    public async Task Without_sampling_every_predictor_gets_the_first_k()
    {
        var compiled = await new LabeledFewShot(k: 2).CompileAsync(new Outer(), Trainset(5), sample: false);

        Assert.All(compiled.Predictors(), p => Assert.Equal(["q0", "q1"], Questions(p)));
    }

    [Fact]
    public async Task K_larger_than_the_trainset_takes_all_examples_in_sampled_order()
    {
        var compiled = await new LabeledFewShot().CompileAsync(new Predict(TestSignatures.QA()), Trainset(4));

        Assert.Equal(["q3", "q1", "q0", "q2"], Questions((Predict)compiled));
    }

    [Fact]
    public async Task An_empty_trainset_returns_a_reset_copy_without_demos()
    {
        var student = new Predict(TestSignatures.QA()) { Demos = Trainset(2) };
        var compiled = await new LabeledFewShot().CompileAsync(student, []);

        Assert.NotSame(student, compiled);
        Assert.Empty(((Predict)compiled).Demos);
        Assert.Equal(2, student.Demos.Count);
    }

    [Fact]
    public async Task Reports_start_and_finish()
    {
        var events = new List<OptimizerEvent>();
        await new LabeledFewShot(2).CompileAsync(new Outer(), Trainset(3), new CompileOptions { Progress = new SyncProgress(events) });

        Assert.Equal([OptimizerEventKind.Started, OptimizerEventKind.Finished], events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal("LabeledFewShot", e.Optimizer));
        Assert.Equal(0, events[^1].Budget.LmCalls);
    }
}

/// <summary>An IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress(List<OptimizerEvent> events) : IProgress<OptimizerEvent>
{
    public void Report(OptimizerEvent value)
    {
        lock (events) events.Add(value);
    }
}
