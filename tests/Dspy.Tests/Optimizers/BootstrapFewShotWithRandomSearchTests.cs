using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers;

public class BootstrapFewShotWithRandomSearchTests
{
    private static readonly Metric AnswerMatch = Metric.Create("answer_match", (e, p, t) => Equals(e["answer"], p["answer"]));

    private static List<Example> Trainset(int n) => LabeledFewShotTests.Trainset(n);

    private static Dictionary<string, object?> Answer(string answer) => new() { ["answer"] = answer };

    private static RuleLM AlwaysRight() => new(r => Answer($"a{RuleLM.NumberOf(r.Input)}"));

    /// <summary>Right only when the question itself is among the demos of the prompt (a student that memorises).</summary>
    private static RuleLM Memoriser() => new(r =>
    {
        var i = RuleLM.NumberOf(r.Input);
        var demos = r.Messages.Take(r.Messages.Count - 1).Select(m => m.Text);
        return Answer(demos.Any(t => t.Split('\n').Contains($"q{i}")) ? $"a{i}" : "wrong");
    });

    private static List<Example> Valset(params int[] indices) => indices.Select(i => Trainset(10)[i]).ToList();

    private static IEnumerable<string> Questions(Module program) => ((Predict)program).Demos.Select(d => (string)d["question"]!);

    private static string State(Module m) => PythonJson.Dumps(m.DumpState(), indent: 2);

    // The teacher always answers right, so every example it tries is bootstrapped; the student (the configured LM)
    // memorises, so a candidate's score is the share of valset questions among its demos.
    private static BootstrapFewShotWithRandomSearchOptions MemoriserOptions(RuleLM teacher) => new()
    {
        Metric = AnswerMatch,
        TeacherSettings = s => s with { Lm = teacher },
        MaxLabeledDemos = 0,
    };

    [Fact]
    public async Task Default_search_tries_19_candidates_zero_shot_labeled_unshuffled_then_seeded_shuffles()
    {
        using var _ = Settings.Context(s => s with { Lm = AlwaysRight(), NumThreads = 1 });
        var student = new Predict(TestSignatures.QA());
        var optimizer = new BootstrapFewShotWithRandomSearch(AnswerMatch, maxLabeledDemos: 5);

        var result = await optimizer.SearchAsync(student, Trainset(10));

        var bySeed = result.CandidatePrograms.OrderBy(c => c.Seed).ToList();
        Assert.Equal(Enumerable.Range(-3, 19), bySeed.Select(c => c.Seed));
        Assert.Equal(["zero-shot", "labeled", "bootstrap", "bootstrap(seed=0)"], bySeed.Take(4).Select(c => c.Kind));
        Assert.Empty(Questions(bySeed[0].Program));
        // LabeledFewShot(k=5): random.Random(0).sample(range(10), 5), no augmented demos.
        Assert.Equal(5, Questions(bySeed[1].Program).Count());
        Assert.All(((Predict)bySeed[1].Program).Demos, d => Assert.False(d.ContainsKey("augmented")));
        // Unshuffled bootstrap: the first 4 examples.
        Assert.Equal(["q0", "q1", "q2", "q3"], ((Predict)bySeed[2].Program).Demos.Where(d => d.ContainsKey("augmented")).Select(d => (string)d["question"]!));
        // CPython: [random.Random(s).randint(1, 4) for s in range(16)].
        int[] sizes = [4, 2, 1, 2, 2, 3, 1, 3, 2, 4, 1, 4, 4, 3, 1, 2];
        for (var s = 0; s < 16; s++)
        {
            var demos = ((Predict)bySeed[s + 3].Program).Demos;
            Assert.Equal(sizes[s], demos.Count(d => d.ContainsKey("augmented")));
            Assert.Equal(5, demos.Count);
        }
        // CPython: l = list(range(10)); random.Random(3).shuffle(l) -> [1, 5, 6, 0, 9, ...]; randint gives 2 demos.
        Assert.Equal(["q1", "q5"], ((Predict)bySeed[6].Program).Demos.Where(d => d.ContainsKey("augmented")).Select(d => (string)d["question"]!));
        // Every candidate scores 100: ties never replace the best, so the zero-shot program (seed -3) wins.
        Assert.All(result.CandidatePrograms, c => Assert.Equal(100.0, c.Score));
        Assert.Equal(-3, result.BestSeed);
        Assert.Empty(((Predict)result.Program).Demos);
        Assert.Empty(student.Demos);
        Assert.Equal(19, result.CandidatePrograms.Count);
    }

    [Fact]
    public async Task A_new_best_needs_a_strictly_higher_score_and_candidates_are_sorted_by_score()
    {
        var teacher = AlwaysRight();
        using var _ = Settings.Context(s => s with { Lm = Memoriser(), NumThreads = 1 });
        var events = new List<OptimizerEvent>();
        var optimizer = new BootstrapFewShotWithRandomSearch(MemoriserOptions(teacher));

        var result = await optimizer.SearchAsync(new Predict(TestSignatures.QA()), Trainset(10),
            new CompileOptions { Valset = Valset(5, 6, 9), Progress = new SyncProgress(events) });

        // Demos per seed (CPython shuffle + randint): seed 0 [7, 8, 1, 5] hits q5 -> 33.33; seeds 1-11 tie at best 33.33
        // or score 0; seed 12 [8, 9, 6, 2] -> 66.67; seed 15 [5, 9] ties at 66.67 and does not replace it.
        var bySeed = result.CandidatePrograms.OrderBy(c => c.Seed).ToDictionary(c => c.Seed, c => c.Score);
        Assert.Equal([0.0, 0.0, 0.0], new[] { bySeed[-3], bySeed[-2], bySeed[-1] });
        Assert.Equal(33.33, bySeed[0]);
        Assert.Equal(0.0, bySeed[4]);
        Assert.Equal(66.67, bySeed[12]);
        Assert.Equal(66.67, bySeed[15]);
        Assert.Equal(12, result.BestSeed);
        Assert.Equal(66.67, result.BestScore);
        Assert.Equal(["q8", "q9", "q6", "q2"], Questions(result.Program));
        Assert.Equal([12, 15, 0], result.CandidatePrograms.Take(3).Select(c => c.Seed));
        Assert.Equal([0.0, 1.0, 1.0], result.CandidatePrograms[0].Subscores);
        Assert.False(result.StoppedEarly);

        Assert.Equal([-3, 0, 12], events.Where(e => e.Kind == OptimizerEventKind.NewBest).Select(e => e.Trial!.Value));
        Assert.Equal(Enumerable.Range(-3, 19), events.Where(e => e.Kind == OptimizerEventKind.TrialFinished).Select(e => e.Trial!.Value));
        Assert.Equal(OptimizerEventKind.Started, events[0].Kind);
        Assert.Equal(OptimizerEventKind.Finished, events[^1].Kind);
        Assert.Equal(result.Budget, events[^1].Budget);
        Assert.True(result.Budget.LmCalls > 0);
    }

    [Fact]
    public async Task Stop_at_score_ends_the_search_at_the_first_candidate_reaching_it_whatever_the_parallelism()
    {
        foreach (var parallelism in new[] { 1, 4 })
        {
            var teacher = AlwaysRight();
            var student = Memoriser();
            using var _ = Settings.Context(s => s with { Lm = student, NumThreads = 2 });
            var optimizer = new BootstrapFewShotWithRandomSearch(MemoriserOptions(teacher) with { StopAtScore = 60, CandidateParallelism = parallelism });

            var result = await optimizer.SearchAsync(new Predict(TestSignatures.QA()), Trainset(10), new CompileOptions { Valset = Valset(5, 6, 9) });

            Assert.True(result.StoppedEarly);
            Assert.Equal(12, result.BestSeed);
            Assert.Equal(Enumerable.Range(-3, 16), result.CandidatePrograms.Select(c => c.Seed).Order());
            // Sequentially seeds 13-15 never run; in batches of 4 (-3..0, ..., 9..12) seed 12 ends the last batch.
            Assert.Equal(16 * 3, student.Requests.Count);
        }
    }

    [Fact]
    public async Task The_result_does_not_depend_on_candidate_parallelism_or_threads()
    {
        async Task<(string State, List<int> Order, List<string> Events)> RunAsync(int parallelism, int threads)
        {
            using var _ = Settings.Context(s => s with { Lm = Memoriser(), NumThreads = threads });
            var events = new List<OptimizerEvent>();
            var optimizer = new BootstrapFewShotWithRandomSearch(MemoriserOptions(AlwaysRight()) with { NumCandidatePrograms = 8, CandidateParallelism = parallelism });
            var result = await optimizer.SearchAsync(new Predict(TestSignatures.QA()), Trainset(10),
                new CompileOptions { Valset = Valset(5, 6, 9), Progress = new SyncProgress(events) });
            return (State(result.Program), result.CandidatePrograms.Select(c => c.Seed).ToList(),
                // TrialStarted events come per batch of candidates; the rest come one candidate at a time in seed order.
                events.Where(e => e.Kind != OptimizerEventKind.TrialStarted).Select(e => $"{e.Kind} {e.Trial} {e.Score} {e.BestScore}").ToList());
        }

        var one = await RunAsync(1, 1);
        var many = await RunAsync(5, 4);
        Assert.Equal(one.State, many.State);
        Assert.Equal(one.Order, many.Order);
        Assert.Equal(one.Events, many.Events);
    }

    [Fact]
    public async Task Restrict_limits_the_seeds_and_labeled_sample_false_takes_the_first_k()
    {
        using var _ = Settings.Context(s => s with { Lm = AlwaysRight(), NumThreads = 1 });
        var optimizer = new BootstrapFewShotWithRandomSearch(AnswerMatch, maxLabeledDemos: 3);

        var result = await optimizer.SearchAsync(new Predict(TestSignatures.QA()), Trainset(10), restrict: new HashSet<int> { -2, 7 }, labeledSample: false);

        Assert.Equal([-2, 7], result.CandidatePrograms.Select(c => c.Seed));
        Assert.Equal(["q0", "q1", "q2"], Questions(result.Program));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            optimizer.SearchAsync(new Predict(TestSignatures.QA()), Trainset(10), restrict: new HashSet<int> { 99 }));
    }

    [Fact]
    public void Defaults_and_params_follow_dspy()
    {
        var optimizer = new BootstrapFewShotWithRandomSearch(AnswerMatch);
        var p = optimizer.GetParams();
        Assert.Equal(4L, p["max_bootstrapped_demos"]);
        Assert.Equal(16L, p["max_labeled_demos"]);
        Assert.Equal(1L, p["max_rounds"]);
        Assert.Equal(16L, p["num_candidate_programs"]);
        Assert.Null(p["stop_at_score"]);
        Assert.Throws<ArgumentNullException>(() => new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions { Metric = null! }));
    }

    [Fact]
    public void Python_randint_matches_cpython()
    {
        // CPython: [random.Random(s).randint(1, 4) for s in range(16)]
        int[] expected = [4, 2, 1, 2, 2, 3, 1, 3, 2, 4, 1, 4, 4, 3, 1, 2];
        Assert.Equal(expected, Enumerable.Range(0, 16).Select(s => new PythonRandom(s).RandInt(1, 4)));
        Assert.Throws<ArgumentException>(() => new PythonRandom(0).RandInt(1, 0));
    }
}
