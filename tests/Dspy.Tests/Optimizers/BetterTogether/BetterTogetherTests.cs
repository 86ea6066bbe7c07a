using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers;

public class BetterTogetherTests
{
    private static readonly Metric AnswerMatch = Metric.Create("answer_match", (e, p, t) => Equals(e["answer"], p["answer"]));

    /// <summary>Appends its tag to the instructions; records the trainset order and valset it was given. Can reset LMs or throw.</summary>
    private sealed class TagOptimizer(string tag, bool resetLm = false, bool fail = false) : Teleprompter
    {
        public List<(List<string> Train, List<string>? Val)> Calls { get; } = [];

        public override string Name => "Tag" + tag;

        public override Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add((trainset.Select(e => (string)e["question"]!).ToList(), options?.Valset?.Select(e => (string)e["question"]!).ToList()));
            if (fail) throw new InvalidOperationException("step failed on purpose");
            var copy = student.DeepCopy();
            foreach (var p in copy.Predictors())
            {
                p.Signature = p.Signature.WithInstructions(p.Signature.Instructions + " " + tag);
                if (resetLm) p.Lm = null;
            }
            return Task.FromResult(copy);
        }

        public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>();
    }

    // Right answers only when the instructions end with the given tag sequence.
    private static RuleLM Lm(string goodSuffix) => new(r => new Dictionary<string, object?>
    {
        ["answer"] = r.Messages[0].Text.TrimEnd().EndsWith(goodSuffix, StringComparison.Ordinal) ? $"a{RuleLM.NumberOf(r.Input)}" : "wrong",
    });

    private static Predict Student(BaseLM lm)
    {
        var p = new Predict(TestSignatures.QA());
        p.SetLm(lm);
        return p;
    }

    [Fact]
    public async Task Steps_run_in_strategy_order_on_reshuffled_trainsets_and_the_best_scoring_program_wins()
    {
        var lm = Lm(" P W");
        var p = new TagOptimizer("P", resetLm: true);
        var w = new TagOptimizer("W");
        var optimizer = new BetterTogether(AnswerMatch, new Dictionary<string, Teleprompter> { ["p"] = p, ["w"] = w }, new BetterTogetherOptions { Seed = 7 });

        var result = await optimizer.RunAsync(Student(lm), LabeledFewShotTests.Trainset(20));

        // valset_ratio 0.1 of 20: the first 2 validate, the other 18 train, shuffled before each step by one Random(seed).
        var train = LabeledFewShotTests.Trainset(20).Skip(2).Select(e => (string)e["question"]!).ToList();
        var rng = new PythonRandom(7);
        rng.Shuffle(train);
        Assert.Equal(train, p.Calls[0].Train);
        rng.Shuffle(train);
        Assert.Equal(train, w.Calls[0].Train);
        rng.Shuffle(train);
        Assert.Equal(train, p.Calls[1].Train);
        Assert.All(p.Calls.Concat(w.Calls), c => Assert.Equal(["q0", "q1"], c.Val));

        Assert.Equal(["p -> w", "", "p", "p -> w -> p"], result.CandidatePrograms.Select(c => c.Strategy));
        Assert.Equal([100.0, 0.0, 0.0, 0.0], result.CandidatePrograms.Select(c => c.Score));
        var best = (Predict)result.Program;
        Assert.EndsWith(" P W", best.Signature.Instructions, StringComparison.Ordinal);
        Assert.Same(lm, best.Lm); // the LM a step cleared was restored
        Assert.True(best.Compiled);
        Assert.False(result.FlagCompilationErrorOccurred);
    }

    [Fact]
    public async Task A_failing_step_stops_the_run_and_the_best_program_so_far_is_returned()
    {
        var lm = Lm(" P");
        var optimizer = new BetterTogether(AnswerMatch,
            new Dictionary<string, Teleprompter> { ["p"] = new TagOptimizer("P"), ["w"] = new TagOptimizer("W", fail: true) });

        var result = await optimizer.RunAsync(Student(lm), LabeledFewShotTests.Trainset(10), new CompileOptions { Valset = LabeledFewShotTests.Trainset(12)[10..] });

        Assert.True(result.FlagCompilationErrorOccurred);
        Assert.Equal(["p", ""], result.CandidatePrograms.Select(c => c.Strategy));
        Assert.EndsWith(" P", ((Predict)result.Program).Signature.Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_validation_the_latest_program_is_returned()
    {
        var optimizer = new BetterTogether(AnswerMatch,
            new Dictionary<string, Teleprompter> { ["p"] = new TagOptimizer("P"), ["w"] = new TagOptimizer("W") },
            new BetterTogetherOptions { ValsetRatio = 0, Strategy = "w -> p" });

        var result = await optimizer.RunAsync(Student(Lm("never")), LabeledFewShotTests.Trainset(4));

        Assert.All(result.CandidatePrograms, c => Assert.Null(c.Score));
        Assert.EndsWith(" W P", ((Predict)result.Program).Signature.Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_arguments_fail_with_dspys_messages()
    {
        var ops = new Dictionary<string, Teleprompter> { ["p"] = new TagOptimizer("P"), ["w"] = new TagOptimizer("W") };
        var e = Assert.Throws<ArgumentException>(() => new BetterTogether(AnswerMatch, ops, new BetterTogetherOptions { Strategy = "p -> x" }));
        Assert.StartsWith("Strategy contains invalid optimizer keys: ['x']. Valid keys are: ['p', 'w']", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new BetterTogether(AnswerMatch, ops, new BetterTogetherOptions { Strategy = " " }));
        Assert.Throws<ArgumentException>(() => new BetterTogether(AnswerMatch, ops, new BetterTogetherOptions { ValsetRatio = 1 }));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => new BetterTogether(AnswerMatch, ops).CompileAsync(Student(Lm("x")), []));
        Assert.StartsWith("trainset cannot be empty", empty.Message, StringComparison.Ordinal);
        var defaults = new BetterTogether(AnswerMatch);
        Assert.IsType<BootstrapFewShotWithRandomSearch>(defaults.Optimizers["p"]);
        Assert.IsType<BootstrapFinetune>(defaults.Optimizers["w"]);
    }
}
