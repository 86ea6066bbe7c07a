using Dspy.Tests.Sim;
using Dspy.Tests.TestDoubles;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers;

public class InferRulesTests(ITestOutputHelper output)
{
    private static readonly Metric AnswerMatch = Metric.Create("answer_match", (e, p, t) => Equals(e["answer"], p["answer"]));

    private static List<Example> Trainset(int n) => LabeledFewShotTests.Trainset(n);

    private static bool IsInduction(RuleLM.Request r) => r.Messages[0].Text.Contains("natural_language_rules", StringComparison.Ordinal);

    /// <summary>Induction calls answer "rule N" (N counts them); task calls are right only under the instructions holding "rule 2".</summary>
    private static RuleLM Lm()
    {
        var inductions = 0;
        return new RuleLM(r =>
        {
            if (IsInduction(r))
            {
                var n = Interlocked.Increment(ref inductions);
                return new Dictionary<string, object?> { ["reasoning"] = "r", ["natural_language_rules"] = $"  rule {n}\n" };
            }
            var right = r.Messages[0].Text.Contains("rule 2", StringComparison.Ordinal);
            return new Dictionary<string, object?> { ["answer"] = right ? $"a{RuleLM.NumberOf(r.Input)}" : "wrong" };
        });
    }

    [Fact]
    public async Task Rules_are_induced_per_candidate_appended_to_the_instructions_and_the_best_candidate_wins()
    {
        var lm = Lm();
        using var _ = Settings.Context(s => s with { Lm = lm, NumThreads = 1 });
        var student = new Predict(TestSignatures.QA());
        var original = student.Signature.Instructions;

        var result = await new Dspy.InferRules(AnswerMatch, numCandidates: 3, numRules: 5, maxLabeledDemos: 1).InferAsync(student, Trainset(4));

        Assert.Equal(3, result.Candidates.Count);
        Assert.Equal([0.0, 100.0, 0.0], result.Candidates.Select(c => c.Score));
        Assert.Equal(100.0, result.BestScore);
        var best = (Predict)result.Program;
        Assert.Equal($"{original}\n\nPlease adhere to the following rules when making your prediction:\nrule 2", best.Signature.Instructions);
        // Each candidate starts from the original instructions: no rule accumulates from an earlier candidate.
        Assert.DoesNotContain("rule 1", best.Signature.Instructions, StringComparison.Ordinal);
        Assert.Equal(original, student.Signature.Instructions);

        var inductions = lm.Requests.Where(IsInduction).ToList();
        Assert.Equal(3, inductions.Count);
        // A fresh rollout per induction from random.Random(0).randint(0, 10**9), at temperature 1.0.
        Assert.Equal([906691059, 413653999, 813847339], inductions.Select(r => Convert.ToInt64(r.RolloutId, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(inductions, r => Assert.Equal(1.0, r.Kwargs["temperature"]));
        // No valset: the first half trains (and is shown to the inducer), the second half validates.
        var shown = inductions[0].Messages[^1].Text;
        Assert.Contains("Input Fields:\nquestion: q0\n\n=========\nOutput Fields:\nanswer: a0\n\nInput Fields:\nquestion: q1\n\n=========\nOutput Fields:\nanswer: a1\n\n", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("q2", shown, StringComparison.Ordinal);
        Assert.Contains("extract a list of 5 concise and non-redundant natural language rules", inductions[0].Messages[0].Text, StringComparison.Ordinal);
        var validated = lm.Requests.Where(r => !IsInduction(r) && r.Messages[0].Text.Contains("rule", StringComparison.Ordinal)).Select(r => r.Input).Distinct().Order();
        Assert.Equal(["q2", "q3"], validated);
    }

    [Fact]
    public async Task A_given_valset_is_used_whole_and_the_evaluator_seam_scores_every_candidate()
    {
        var lm = Lm();
        using var _ = Settings.Context(s => s with { Lm = lm, NumThreads = 1 });
        var evaluator = new CountingEvaluator();

        await new Dspy.InferRules(AnswerMatch, numCandidates: 2, maxLabeledDemos: 0)
            .CompileAsync(new Predict(TestSignatures.QA()), Trainset(3), new CompileOptions { Valset = Trainset(5)[3..], Evaluator = evaluator });

        Assert.Equal(2, evaluator.Requests.Count(r => r.Phase == "val"));
        Assert.All(evaluator.Requests.Where(r => r.Phase == "val"), r => Assert.Equal(["q3", "q4"], r.Examples.Select(e => (string)e["question"]!)));
        var shown = lm.Requests.First(IsInduction).Messages[^1].Text;
        Assert.Contains("question: q2", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Dspy.InferRules(new InferRulesOptions { Bootstrap = new BootstrapFewShotOptions() }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dspy.InferRules(AnswerMatch, numCandidates: 0));
    }

    [Fact]
    public async Task An_empty_training_half_is_a_clear_error()
    {
        using var _ = Settings.Context(s => s with { Lm = Lm() });
        var e = await Assert.ThrowsAsync<ArgumentException>(() => new Dspy.InferRules(AnswerMatch).CompileAsync(new Predict(TestSignatures.QA()), Trainset(1)));
        Assert.Contains("first half", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Intent_on_the_sim_scores_higher_with_induced_rules_than_the_unoptimized_program()
    {
        var train = SampleData.LoadExamples("intent", "train", 120, "text");
        var dev = SampleData.LoadExamples("intent", "dev", 60, "text");
        var signature = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = 4 });
        var metric = Metrics.Get("exact_match");
        var student = new Predict(signature);

        var before = await new Evaluate(dev, metric).RunAsync(student);
        var result = await new Dspy.InferRules(metric, numCandidates: 3, maxBootstrappedDemos: 2, maxLabeledDemos: 4).InferAsync(student, train);
        var after = await new Evaluate(dev, metric).RunAsync(result.Program);

        output.WriteLine($"intent on sim ({dev.Count} dev): unoptimized {before.Score}%, InferRules {after.Score}% (val {result.BestScore}%), " +
            $"{result.Budget.LmCalls} LM calls to compile; candidates {string.Join(", ", result.Candidates.Select(c => c.Score))}");
        output.WriteLine(((Predict)result.Program).Signature.Instructions);
        Assert.Contains(Dspy.InferRules.RulesPreamble, ((Predict)result.Program).Signature.Instructions, StringComparison.Ordinal);
        Assert.True(after.Score > before.Score + 10, $"InferRules {after.Score} should beat the unoptimized {before.Score}");
    }

    [Fact]
    public async Task The_same_seed_gives_a_byte_identical_program_whatever_the_thread_count()
    {
        var train = SampleData.LoadExamples("intent", "train", 40, "text");
        var signature = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());
        async Task<string> RunAsync(int threads)
        {
            using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = threads });
            var program = await new Dspy.InferRules(Metrics.Get("exact_match"), numCandidates: 2, maxBootstrappedDemos: 2, maxLabeledDemos: 4, numThreads: threads)
                .CompileAsync(new Predict(signature), train);
            return PythonJson.Dumps(program.DumpState(), indent: 2);
        }

        var one = await RunAsync(1);
        Assert.Equal(one, await RunAsync(4));
        Assert.Equal(one, await RunAsync(1));
    }

    private sealed class CountingEvaluator : IProgramEvaluator
    {
        public List<ProgramEvaluationRequest> Requests { get; } = [];

        public Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
        {
            lock (Requests) Requests.Add(request);
            return LocalProgramEvaluator.Instance.EvaluateAsync(request, cancellationToken);
        }
    }
}
