using Dspy.Tests.Modules;
using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers;

public class BootstrapFewShotTests
{
    private static readonly Metric AnswerMatch = Metric.Create("answer_match", (e, p, t) => Equals(e["answer"], p["answer"]));

    private static List<Example> Trainset(int n) => LabeledFewShotTests.Trainset(n);

    private static Dictionary<string, object?> Answer(string answer) => new() { ["answer"] = answer };

    /// <summary>Answers a{n} for q{n} when <paramref name="correct"/> says so, else "wrong".</summary>
    private static RuleLM Lm(Func<int, bool> correct) =>
        new(r => Answer(correct(RuleLM.NumberOf(r.Input)) ? $"a{RuleLM.NumberOf(r.Input)}" : "wrong"));

    private static IDisposable Use(BaseLM lm, int threads = 1) => Settings.Context(s => s with { Lm = lm, Trace = new TraceLog(), NumThreads = threads });

    private static string State(Module m) => PythonJson.Dumps(m.DumpState(), indent: 2);

    [Fact]
    public async Task Successful_traces_become_augmented_demos_then_shuffled_labeled_examples_fill_up()
    {
        var lm = Lm(i => i % 2 == 0);
        using var _ = Use(lm);
        var student = new Predict(TestSignatures.QA());

        var result = await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 2, maxLabeledDemos: 4).BootstrapAsync(student, Trainset(6));

        Assert.Equal([0, 2], result.BootstrappedIndices);
        Assert.Equal(3, result.ExamplesProcessed);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(["q0", "q1", "q2"], lm.Requests.Select(r => r.Input));
        // Not bootstrapped: [1, 3, 4, 5], shuffled by random.Random(0) -> [4, 1, 3, 5]; a fresh Random(0) samples [5, 1].
        Assert.Equal(["q4", "q1", "q3", "q5"], result.Validation.Select(e => (string)e["question"]!));
        var demos = ((Predict)result.Program).Demos;
        Assert.Equal(["q0", "q2", "q5", "q1"], demos.Select(d => (string)d["question"]!));
        Assert.Equal(["augmented", "question", "answer"], demos[0].Keys());
        Assert.Equal(true, demos[0]["augmented"]);
        Assert.Equal("a2", demos[1]["answer"]);
        Assert.False(demos[2].ContainsKey("augmented"));
        Assert.True(result.Program.Compiled);
        Assert.Empty(student.Demos);
        Assert.False(student.Compiled);
    }

    [Fact]
    public async Task The_example_is_removed_from_the_teachers_labeled_demos_during_its_own_run()
    {
        var lm = Lm(_ => true);
        using var _ = Use(lm);

        await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 6, maxLabeledDemos: 4).CompileAsync(new Predict(TestSignatures.QA()), Trainset(6));

        // The teacher got LabeledFewShot(k=4) demos: random.Random(0).sample(range(6), 4) = [3, 5, 0, 1].
        var teacherDemos = new[] { 3, 5, 0, 1 };
        Assert.Equal(6, lm.Requests.Count);
        foreach (var request in lm.Requests)
        {
            var i = RuleLM.NumberOf(request.Input);
            Assert.Equal(teacherDemos.Contains(i) ? 3 : 4, request.DemoCount);
            var earlier = request.Messages.Take(request.Messages.Count - 1).Select(m => m.Text);
            Assert.DoesNotContain(earlier, t => t.Contains($"[[ ## question ## ]]\nq{i}\n", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Without_labeled_demos_the_teacher_runs_zero_shot_and_the_student_gets_only_bootstrapped_demos()
    {
        var lm = Lm(_ => true);
        using var _ = Use(lm);

        var compiled = await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 2, maxLabeledDemos: 0).CompileAsync(new Predict(TestSignatures.QA()), Trainset(5));

        Assert.All(lm.Requests, r => Assert.Equal(0, r.DemoCount));
        Assert.Equal(["q0", "q1"], ((Predict)compiled).Demos.Select(d => (string)d["question"]!));
    }

    [Fact]
    public async Task Without_a_metric_every_run_succeeds()
    {
        using var _ = Use(Lm(_ => false));

        var result = await new BootstrapFewShot(maxBootstrappedDemos: 3, maxLabeledDemos: 3).BootstrapAsync(new Predict(TestSignatures.QA()), Trainset(5));

        Assert.Equal([0, 1, 2], result.BootstrappedIndices);
        Assert.All(((Predict)result.Program).Demos, d => Assert.Equal("wrong", d["answer"]));
    }

    [Theory]
    [InlineData(null, new[] { 0, 1, 2, 3 })]   // no threshold: 0.5 is truthy, 0.0 is not
    [InlineData(0.75, new[] { 0, 2 })]         // threshold: only 1.0 passes
    [InlineData(0.5, new[] { 0, 1, 2, 3 })]
    public async Task The_metric_threshold_decides_success_and_a_zero_score_is_falsy(double? threshold, int[] expected)
    {
        using var _ = Use(Lm(i => i % 2 == 0));
        // 1.0 for a right answer, 0.5 for a wrong one, 0.0 for q4 and q5.
        var metric = Metric.Create("graded", (e, p, t) => RuleLM.NumberOf((string)e["question"]!) >= 4 ? 0.0 : Equals(e["answer"], p["answer"]) ? 1.0 : 0.5);

        var result = await new BootstrapFewShot(metric, metricThreshold: threshold, maxBootstrappedDemos: 10).BootstrapAsync(new Predict(TestSignatures.QA()), Trainset(6));

        Assert.Equal(expected, result.BootstrappedIndices);
    }

    [Fact]
    public async Task The_metric_sees_the_trace_of_the_run()
    {
        using var _ = Use(Lm(_ => true));
        var traces = new List<object?>();
        var metric = Metric.Create("spy", (e, p, t) =>
        {
            lock (traces) traces.Add(t);
            return true;
        });

        await new BootstrapFewShot(metric, maxBootstrappedDemos: 2).CompileAsync(new Predict(TestSignatures.QA()), Trainset(3));

        Assert.Equal(2, traces.Count);
        Assert.All(traces, t => Assert.Single(Assert.IsAssignableFrom<IReadOnlyList<TraceStep>>(t)));
    }

    [Theory]
    [InlineData(3, new[] { 0 }, 3)]
    [InlineData(2, new int[0], 4)]
    public async Task Later_rounds_use_a_copy_of_the_lm_with_rollout_id_and_temperature_one(int maxRounds, int[] expected, int attempts)
    {
        // Right only on the third try (rollout 2 at temperature 1.0).
        var lm = new RuleLM(r => Answer(Equals(r.RolloutId, 2L) && Equals(r.Kwargs.GetValueOrDefault("temperature"), 1.0) ? $"a{RuleLM.NumberOf(r.Input)}" : "wrong"));
        using var _ = Use(lm);

        var result = await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 1, maxRounds: maxRounds).BootstrapAsync(new Predict(TestSignatures.QA()), Trainset(2));

        Assert.Equal(expected, result.BootstrappedIndices);
        Assert.Equal(attempts, result.Attempts);
        var q0 = lm.Requests.Where(r => r.Input == "q0").ToList();
        Assert.Equal(new object?[] { null, 1L, 2L }.Take(maxRounds), q0.Select(r => r.RolloutId));
        Assert.False(q0[0].Kwargs.ContainsKey("temperature"));
        Assert.All(q0.Skip(1), r => Assert.Equal(1.0, r.Kwargs["temperature"]));
        Assert.Empty(lm.Kwargs); // the configured LM itself is never changed
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Reaching_max_errors_rethrows_the_error_that_reached_it(int threads)
    {
        var lm = new RuleLM(r =>
        {
            var i = RuleLM.NumberOf(r.Input);
            return i is 1 or 3 ? throw new LMServerError($"boom q{i}") : Answer($"a{i}");
        });
        using var _ = Use(lm, threads);
        var student = new Predict(TestSignatures.QA());

        var error = await Assert.ThrowsAsync<LMServerError>(() =>
            new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 10, maxErrors: 2).CompileAsync(student, Trainset(6)));
        Assert.Equal("boom q3", error.Message);

        var result = await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 10, maxErrors: 3).BootstrapAsync(student, Trainset(6));
        Assert.Equal(2, result.Errors);
        Assert.Equal([0, 2, 4, 5], result.BootstrappedIndices);
    }

    [Fact]
    public async Task Max_errors_defaults_to_the_settings()
    {
        var lm = new RuleLM(_ => throw new LMServerError("down"));
        using var _ = Settings.Context(s => s with { Lm = lm, MaxErrors = 2, NumThreads = 1 });

        await Assert.ThrowsAsync<LMServerError>(() => new BootstrapFewShot(AnswerMatch).CompileAsync(new Predict(TestSignatures.QA()), Trainset(5)));
        Assert.Equal(2, lm.Requests.Count);
    }

    [Fact]
    public async Task Parallel_bootstrapping_gives_the_same_program_calls_and_events_as_sequential()
    {
        async Task<(string State, int Calls, List<OptimizerEvent> Events)> Run(int threads)
        {
            var lm = Lm(i => i % 3 != 1);
            using var _ = Use(lm, threads);
            var events = new List<OptimizerEvent>();
            var compiled = await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 6, maxLabeledDemos: 8)
                .CompileAsync(new Outer(), Trainset(20), new CompileOptions { Progress = new SyncProgress(events) });
            return (State(compiled), lm.Requests.Count, events);
        }

        var one = await Run(1);
        foreach (var threads in new[] { 2, 8 })
        {
            var many = await Run(threads);
            Assert.Equal(one.State, many.State);
            Assert.Equal(one.Calls, many.Calls);
            Assert.Equal(one.Events.Select(e => (e.Kind, e.Trial, e.Score)), many.Events.Select(e => (e.Kind, e.Trial, e.Score)));
        }
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (int?)i), one.Events.Where(e => e.Kind == OptimizerEventKind.TrialFinished).Select(e => e.Trial));
    }

    [Fact]
    public async Task Events_report_trials_in_order_and_the_budget_reaches_an_outer_usage_tracker()
    {
        using var _ = Use(Lm(i => i != 1));
        var events = new List<OptimizerEvent>();
        using var usage = Settings.TrackUsage();

        await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 2).CompileAsync(new Predict(TestSignatures.QA()), Trainset(5),
            new CompileOptions { Progress = new SyncProgress(events) });

        Assert.Equal([OptimizerEventKind.Started, OptimizerEventKind.TrialFinished, OptimizerEventKind.TrialFinished, OptimizerEventKind.TrialFinished, OptimizerEventKind.Finished],
            events.Select(e => e.Kind));
        Assert.Equal([1.0, 0.0, 1.0], events.Where(e => e.Kind == OptimizerEventKind.TrialFinished).Select(e => e.Score!.Value));
        Assert.Equal(3, events[^1].Budget.LmCalls);
        Assert.Equal(30, events[^1].Budget.PromptTokens);
        Assert.Equal(3, usage.GetTotalTokens()["rule/test"].Calls);
    }

    [Fact]
    public async Task Teacher_settings_choose_the_teacher_lm()
    {
        var teacherLm = Lm(_ => true);
        var studentLm = new RuleLM(_ => throw new LMServerError("the student LM must not be used"));
        using var _ = Use(studentLm);

        var result = await new BootstrapFewShot(AnswerMatch, teacherSettings: s => s with { Lm = teacherLm }, maxBootstrappedDemos: 2)
            .BootstrapAsync(new Predict(TestSignatures.QA()), Trainset(3));

        Assert.Equal([0, 1], result.BootstrappedIndices);
        Assert.Equal(2, teacherLm.Requests.Count);
        Assert.Empty(studentLm.Requests);
    }

    [Fact]
    public async Task A_predictor_called_twice_in_one_run_contributes_one_deterministic_demo()
    {
        // Twice answers q{n} -> "q{n+100}", then q{n+100} -> "a{n}".
        var lm = new RuleLM(r =>
        {
            var i = RuleLM.NumberOf(r.Input);
            return Answer(i >= 100 ? $"a{i - 100}" : $"q{i + 100}");
        });
        using var _ = Use(lm, threads: 4);

        var first = await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 4, maxLabeledDemos: 4).BootstrapAsync(new Twice(), Trainset(6));
        var second = await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 4, maxLabeledDemos: 4).BootstrapAsync(new Twice(), Trainset(6));

        var traces = first.Traces["step"];
        Assert.Equal(4, traces.Count);
        for (var i = 0; i < 4; i++)
        {
            var demo = traces[i];
            Assert.True(Equals(demo["question"], $"q{i}") && Equals(demo["answer"], $"q{i + 100}")
                || Equals(demo["question"], $"q{i + 100}") && Equals(demo["answer"], $"a{i}"), demo.ToString());
        }
        Assert.Equal(State(first.Program), State(second.Program));
    }

    [Fact]
    public async Task Student_and_teacher_must_match()
    {
        using var _ = Use(Lm(_ => true));
        var optimizer = new BootstrapFewShot(AnswerMatch);

        var structure = await Assert.ThrowsAsync<ArgumentException>(() =>
            optimizer.CompileAsync(new Outer(), Trainset(2), new CompileOptions { Teacher = new Predict(TestSignatures.QA()) }));
        Assert.Contains("same number of predictors", structure.Message, StringComparison.Ordinal);

        var other = new Predict(TestSignatures.QA().WithInstructions("Something else."));
        var signature = await Assert.ThrowsAsync<ArgumentException>(() =>
            optimizer.CompileAsync(new Predict(TestSignatures.QA()), Trainset(2), new CompileOptions { Teacher = other }));
        Assert.Contains("same signatures", signature.Message, StringComparison.Ordinal);

        var compiled = new Predict(TestSignatures.QA()) { Compiled = true };
        await Assert.ThrowsAsync<InvalidOperationException>(() => optimizer.CompileAsync(compiled, Trainset(2)));
    }

    [Fact]
    public async Task A_compiled_teacher_keeps_its_demos()
    {
        var lm = Lm(_ => true);
        using var _ = Use(lm);
        var teacher = new Predict(TestSignatures.QA()) { Compiled = true, Demos = [.. Trainset(8).Skip(6)] };

        await new BootstrapFewShot(AnswerMatch, maxBootstrappedDemos: 2).CompileAsync(new Predict(TestSignatures.QA()), Trainset(4),
            new CompileOptions { Teacher = teacher });

        Assert.All(lm.Requests, r => Assert.Equal(2, r.DemoCount));
    }

    /// <summary>Calls the same predictor twice, feeding its answer back as the question.</summary>
    private sealed class Twice : Module
    {
        public Predict Step { get; } = new(TestSignatures.QA());

        protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
        {
            var first = await Step.CallAsync(inputs, cancellationToken);
            return await Step.CallAsync(new Dictionary<string, object?> { ["question"] = first["answer"] }, cancellationToken);
        }
    }
}
