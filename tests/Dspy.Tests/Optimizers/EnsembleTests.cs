using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers;

public class EnsembleTests
{
    /// <summary>Answers a fixed value (or throws) and counts its calls.</summary>
    private sealed class Fixed(string answer, bool fail = false) : Module
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (fail) throw new InvalidOperationException("boom");
            return Task.FromResult(new Prediction { ["answer"] = answer });
        }
    }

    private static readonly Dictionary<string, object?> Inputs = new() { ["question"] = "q" };

    private static Prediction Majority(IReadOnlyList<Prediction> outputs) =>
        outputs.GroupBy(o => (string)o["answer"]!).OrderByDescending(g => g.Count()).First().First();

    [Fact]
    public async Task Without_size_every_program_runs_and_the_reduce_function_combines_the_outputs()
    {
        var programs = new[] { new Fixed("x"), new Fixed("y"), new Fixed("y") };
        var ensembled = new Ensemble(reduceFn: Majority).Compile(programs);

        var prediction = await ensembled.CallAsync(Inputs);

        Assert.Equal("y", prediction["answer"]);
        Assert.All(programs, p => Assert.Equal(1, p.Calls));
    }

    [Fact]
    public async Task Size_samples_programs_with_a_seeded_python_random_per_call()
    {
        var programs = Enumerable.Range(0, 4).Select(i => new Fixed($"p{i}")).ToArray();
        var ensembled = new Ensemble(size: 2).Compile(programs);

        var calls = new List<IEnumerable<object?>>();
        for (var i = 0; i < 3; i++) calls.Add((await ensembled.RunAllAsync(Inputs)).Select(p => p["answer"]));

        // CPython: r = random.Random(0); [r.sample(range(4), 2) for _ in range(3)] -> [[3, 1], [0, 1], [3, 1]]
        Assert.Equal(["p3", "p1"], calls[0]);
        Assert.Equal(["p0", "p1"], calls[1]);
        Assert.Equal(["p3", "p1"], calls[2]);
        Assert.Equal([1, 3, 0, 2], programs.Select(p => p.Calls));
    }

    [Fact]
    public async Task Without_reduce_the_call_returns_all_outputs_as_completions_and_failing_programs_are_skipped()
    {
        var ensembled = new Ensemble().Compile([new Fixed("x"), new Fixed("boom", fail: true), new Fixed("z")]);

        var prediction = await ensembled.CallAsync(Inputs);

        Assert.Equal("x", prediction["answer"]);
        Assert.Equal(["x", "z"], prediction.Completions!["answer"]);
    }

    [Fact]
    public async Task With_reduce_and_every_program_failing_the_result_is_label_none()
    {
        var ensembled = new Ensemble(reduceFn: Majority).Compile([new Fixed("a", fail: true)]);

        var prediction = await ensembled.CallAsync(Inputs);

        Assert.Equal("none", prediction["label"]);
    }

    [Fact]
    public void Deterministic_raises_dspys_error_and_size_must_fit()
    {
        var error = Assert.Throws<NotSupportedException>(() => new Ensemble(deterministic: true));
        Assert.Equal("TODO: Implement example hashing for deterministic ensemble.", error.Message);
        Assert.Throws<ArgumentException>(() => new Ensemble(size: 3).Compile([new Fixed("a"), new Fixed("b")]));
    }

    [Fact]
    public void The_member_programs_predictors_are_the_ensembles_parameters()
    {
        var ensembled = new Ensemble().Compile([new Predict(TestSignatures.QA()), new Predict(TestSignatures.QA())]);

        Assert.Equal(["programs[0]", "programs[1]"], ensembled.NamedPredictors().Select(p => p.Name));
    }
}
