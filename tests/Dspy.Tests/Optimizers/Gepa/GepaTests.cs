using System.Text.RegularExpressions;
using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers.Gepa;

public sealed partial class GepaTests
{
    [GeneratedRegex(@"### question\n(q\d+)")]
    private static partial Regex QuestionRegex();

    private static List<Example> Data(int n, int offset = 0) =>
        Enumerable.Range(offset, n).Select(i => new Example { ["question"] = $"q{i}", ["answer"] = $"a{i}" }.WithInputs("question")).ToList();

    private static Metric CountingMetric(Action onCall) => Metric.Create("em", (e, p, t) =>
    {
        onCall();
        return Equals(e["answer"], p["answer"]);
    });

    // The task LM knows the answer to qN only when its instructions mention <qN>.
    private static RuleLM LearningTaskLM() => new(r => new Dictionary<string, object?>
    {
        ["answer"] = r.Messages[0].Text!.Contains($"<{r.Input}>", StringComparison.Ordinal) ? "a" + r.Input[1..] : "wrong",
    });

    // The reflection LM adds <qN> for every example in its prompt whose feedback is not a perfect score.
    private static ReflectionLM LearningReflectionLM() => new(prompt =>
    {
        var current = prompt.Split("```\n")[1].TrimEnd('\n');
        var examples = prompt.Split("# Example ").Skip(1);
        var added = examples.Where(e => !e.Contains("score of 1.0", StringComparison.Ordinal) && !e.Contains("score of True", StringComparison.Ordinal))
            .Select(e => $"<{QuestionRegex().Match(e).Groups[1].Value}>").Where(t => !current.Contains(t, StringComparison.Ordinal));
        return "Here it is:\n```text\n" + current + " " + string.Join(" ", added) + "\n```";
    });

    // A forgetful reflection LM: the new instruction knows only the questions of this minibatch, so mutations of different
    // predictors learn different, non-dominating things, as merges need.
    private static ReflectionLM ReplacingReflectionLM() => new(prompt =>
        "```\nAnswer. " + string.Join(" ", prompt.Split("# Example ").Skip(1).Select(e => $"<{QuestionRegex().Match(e).Groups[1].Value}>")) + "\n```");

    private sealed class TwoStep : Module
    {
        public Predict Draft { get; } = new(TestSignatures.QA());
        public Predict Final { get; } = new(TestSignatures.QA());

        protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
        {
            await Draft.CallAsync(inputs, cancellationToken);
            return await Final.CallAsync(inputs, cancellationToken);
        }
    }

    // Either predictor can know the answer: the final answer is the first one that is not "wrong".
    private sealed class Either : Module
    {
        public Predict Draft { get; } = new(TestSignatures.QA());
        public Predict Final { get; } = new(TestSignatures.QA());

        protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
        {
            var draft = await Draft.CallAsync(inputs, cancellationToken);
            var final = await Final.CallAsync(inputs, cancellationToken);
            return Equals(final["answer"], "wrong") ? draft : final;
        }
    }

    [Fact]
    public async Task Merge_combines_two_pareto_programs_that_changed_different_predictors()
    {
        using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = Metrics.Get("exact_match"), MaxMetricCalls = 400, ReflectionLm = ReplacingReflectionLM(), TrackStats = true });

        var result = await gepa.OptimizeAsync(new Either(), Data(12));

        var details = result.DetailedResults!;
        var merges = Enumerable.Range(0, details.Parents.Count).Where(i => details.Parents[i].Count == 2).ToList();
        Assert.True(merges.Count > 0, string.Join("\n", details.Candidates.Select((c, k) => $"#{k} parents [{string.Join(",", details.Parents[k])}] score {details.ValAggregateScores[k]}: {string.Join(" | ", c.Select(kv => kv.Key + "=" + kv.Value))}")));
        foreach (var m in merges)
        {
            var (i, j) = (details.Parents[m][0], details.Parents[m][1]);
            // Each predictor's text comes from one of the parents.
            Assert.All(details.Candidates[m], kv => Assert.True(kv.Value == details.Candidates[i][kv.Key] || kv.Value == details.Candidates[j][kv.Key]));
            Assert.Equal("merge", result.Front.Candidates[m].Origin);
        }
        Assert.InRange(merges.Count, 1, 5);
    }

    [Fact]
    public async Task Auto_light_makes_exactly_the_budget_of_metric_calls_when_every_iteration_costs_two_minibatches()
    {
        // Two predictors, V = 10: auto_budget(2, 6, 10): N = int(max(2 * 4 * log2(6), 9)) = 20,
        // 10 + 5 * 6 + 20 * 35 + ((20 + 1) // 5 + 1) * 10 = 10 + 30 + 700 + 50 = 790.
        // No mutation is ever accepted (every answer is wrong), so the run is the seed's valset evaluation (10) plus
        // iterations of a parent and a child minibatch evaluation (3 + 3): 10 + 130 * 6 = 790, exactly the budget.
        var calls = 0;
        var metric = CountingMetric(() => Interlocked.Increment(ref calls));
        var lm = new RuleLM(_ => new Dictionary<string, object?> { ["answer"] = "wrong" });
        var reflection = new ReflectionLM(p => "```\nAnswer well.\n```");
        using var _ = Settings.Context(s => s with { Lm = lm });
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = metric, Auto = GepaAuto.Light, ReflectionLm = reflection, TrackStats = true });

        var result = await gepa.OptimizeAsync(new TwoStep(), Data(30), new CompileOptions { Valset = Data(10, 100) });

        Assert.Equal(790, result.MaxMetricCalls);
        Assert.Equal(790, result.TotalMetricCalls);
        Assert.Equal(790, calls);
        Assert.Equal(130, reflection.Prompts.Count);
        Assert.Single(result.Front.Candidates);
        // Round robin: the reflections alternate between the two predictors' instructions.
        Assert.Equal(1, result.DetailedResults!.NumFullValEvals);
    }

    [Fact]
    public async Task The_budget_is_a_hard_limit_where_dspy_would_overshoot()
    {
        // One predictor, V = 10: 4V + 380 = 420. 10 + 68 * 6 = 418; the next parent evaluation (3) would reach 421, so the
        // run stops at 418 (DSPy checks only at the top of an iteration and would make 424 calls).
        var calls = 0;
        var metric = CountingMetric(() => Interlocked.Increment(ref calls));
        using var _ = Settings.Context(s => s with { Lm = new RuleLM(_ => new Dictionary<string, object?> { ["answer"] = "wrong" }) });
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = metric, Auto = GepaAuto.Light, ReflectionLm = new ReflectionLM(p => "```\nx\n```") });

        var result = await gepa.OptimizeAsync(new Predict(TestSignatures.QA()), Data(30), new CompileOptions { Valset = Data(10, 100) });

        Assert.Equal(420, result.MaxMetricCalls);
        Assert.Equal(418, result.TotalMetricCalls);
        Assert.Equal(418, calls);

        // A tight max_metric_calls is never exceeded either.
        calls = 0;
        var tight = new Dspy.Gepa(new GepaOptions { Metric = metric, MaxMetricCalls = 17, ReflectionLm = new ReflectionLM(p => "```\nx\n```") });
        var small = await tight.OptimizeAsync(new Predict(TestSignatures.QA()), Data(30), new CompileOptions { Valset = Data(10, 100) });
        Assert.Equal(16, small.TotalMetricCalls);
        Assert.Equal(16, calls);
    }

    [Fact]
    public async Task Reflection_improves_the_program_and_the_search_is_recorded()
    {
        using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
        var reflection = LearningReflectionLM();
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = Metrics.Get("exact_match"), MaxMetricCalls = 200, ReflectionLm = reflection, TrackStats = true, TrackBestOutputs = true });
        var student = new Predict(TestSignatures.QA().WithInstructions("Answer the question."));
        var trainset = Data(12);

        var result = await gepa.OptimizeAsync(student, trainset);

        var details = result.DetailedResults!;
        Assert.True(result.BestScore > details.ValAggregateScores[0], $"best {result.BestScore} should beat the seed {details.ValAggregateScores[0]}");
        Assert.Equal(0.0, details.ValAggregateScores[0]);
        Assert.True(result.TotalMetricCalls <= 200);
        Assert.Equal(details.Candidates.Count, details.Parents.Count);
        Assert.Empty(details.Parents[0]);
        Assert.All(details.Parents.Skip(1), p => Assert.InRange(p.Count, 1, 2));
        Assert.Equal(result.BestIndex, details.BestIdx);
        Assert.Equal(details.ValAggregateScores.Max(), result.BestScore);
        Assert.Equal(12, details.HighestScoreAchievedPerValTask.Count);
        Assert.Equal(12, details.BestOutputsValset!.Count);
        // The returned program carries the best candidate's instruction; the student is unchanged.
        Assert.Equal(details.BestCandidate["self"], ((Predict)result.Program).Signature.Instructions);
        Assert.Equal("Answer the question.", student.Signature.Instructions);
        // Every reflection prompt is GEPA's template with three examples.
        Assert.All(reflection.Prompts, p =>
        {
            Assert.StartsWith("I provided an assistant with the following instructions to perform a task for me:\n```\n", p, StringComparison.Ordinal);
            Assert.Contains("# Example 3\n## Inputs\n### question\n", p, StringComparison.Ordinal);
            Assert.EndsWith("Provide the new instructions within ``` blocks.", p, StringComparison.Ordinal);
        });
        // Each accepted child was scored on the whole valset: discovery counts increase.
        Assert.True(details.DiscoveryEvalCounts.Zip(details.DiscoveryEvalCounts.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public async Task Evaluations_all_go_through_the_evaluator_seam()
    {
        using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
        var evaluator = new CountingEvaluator();
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = Metrics.Get("exact_match"), MaxMetricCalls = 80, ReflectionLm = LearningReflectionLM() });

        var result = await gepa.OptimizeAsync(new Predict(TestSignatures.QA()), Data(9), new CompileOptions { Evaluator = evaluator, Valset = Data(6, 50) });

        Assert.Equal(result.TotalMetricCalls, evaluator.Examples);
        Assert.Contains("full", evaluator.Phases);
        Assert.Contains("minibatch", evaluator.Phases);
        Assert.True(evaluator.TracedRequests > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Same_seed_gives_byte_identical_programs_across_runs_and_thread_counts(int proposalParallelism)
    {
        var saved = new List<string>();
        var calls = new List<long>();
        foreach (var threads in new[] { 1, 4, 1, 8 })
        {
            using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
            var gepa = new Dspy.Gepa(new GepaOptions
            {
                Metric = Metrics.Get("exact_match"), MaxMetricCalls = 150, ReflectionLm = LearningReflectionLM(), NumThreads = threads,
                ProposalParallelism = proposalParallelism, Seed = 7,
            });
            var result = await gepa.OptimizeAsync(new TwoStep(), Data(15), new CompileOptions { Valset = Data(8, 4) });
            saved.Add(PythonJson.Dumps(result.Program.DumpState(), ensureAscii: false, indent: 2) + "\n" + System.Text.Json.JsonSerializer.Serialize(result.Front));
            calls.Add(result.TotalMetricCalls);
        }
        Assert.All(saved, s => Assert.Equal(saved[0], s));
        Assert.All(calls, c => Assert.Equal(calls[0], c));
        Assert.Contains("\"Origin\":\"reflective\"", saved[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parallel_proposals_stay_within_the_budget_and_improve()
    {
        using var _ = Settings.Context(s => s with { Lm = LearningTaskLM() });
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = Metrics.Get("exact_match"), MaxMetricCalls = 100, ReflectionLm = LearningReflectionLM(), ProposalParallelism = 4 });

        var result = await gepa.OptimizeAsync(new Predict(TestSignatures.QA()), Data(12), new CompileOptions { Valset = Data(8) });

        Assert.True(result.TotalMetricCalls <= 100);
        Assert.True(result.BestScore > 0);
    }

    [Fact]
    public async Task A_teacher_is_rejected_and_an_empty_trainset_too()
    {
        var gepa = new Dspy.Gepa(new GepaOptions { Metric = Metrics.ExactMatch, MaxMetricCalls = 10, ReflectionLm = new ReflectionLM(p => p) });
        var student = new Predict(TestSignatures.QA());
        await Assert.ThrowsAsync<ArgumentException>(() => gepa.OptimizeAsync(student, Data(3), new CompileOptions { Teacher = student }));
        await Assert.ThrowsAsync<ArgumentException>(() => gepa.OptimizeAsync(student, []));
    }

    private sealed class CountingEvaluator : IProgramEvaluator
    {
        private readonly Lock _lock = new();
        public long Examples { get; private set; }
        public int TracedRequests { get; private set; }
        public HashSet<string> Phases { get; } = [];

        public Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                Examples += request.Examples.Count;
                if (request.CaptureTraces) TracedRequests++;
                Phases.Add(request.Phase ?? "");
            }
            return LocalProgramEvaluator.Instance.EvaluateAsync(request, cancellationToken);
        }
    }
}
