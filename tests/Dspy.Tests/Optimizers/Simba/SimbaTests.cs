using Dspy.Tests.Sim;
using Dspy.Tests.TestDoubles;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers.Simba;

/// <summary>SIMBA on the simulated LM (which also writes the rules); all scores are sim scores.</summary>
public sealed class SimbaTests(ITestOutputHelper output)
{
    private static Signature IntentSignature() => Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());

    private static SimbaOptions Small(string metric = "exact_match_feedback", int threads = 4) => new()
    {
        Metric = Metrics.Get(metric), Bsize = 8, NumCandidates = 4, MaxSteps = 4, NumThreads = threads,
    };

    private async Task<(double Before, double After, SimbaResult Result)> RunAsync(string task, Module student, string input, int train, int dev, SimbaOptions options,
        IProgramEvaluator? evaluator = null)
    {
        var trainset = SampleData.LoadExamples(task, "train", train, input);
        var devset = SampleData.LoadExamples(task, "dev", dev, input);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var result = await new Dspy.Simba(options).OptimizeAsync(student, trainset, new CompileOptions { Evaluator = evaluator });
        var evaluate = new Evaluate(devset, Metrics.Get("exact_match"), numThreads: 4);
        var before = (await evaluate.RunAsync(student)).Score;
        var after = (await evaluate.RunAsync(result.Program)).Score;
        output.WriteLine($"{task} on sim ({dev} dev): before {before}%, after SIMBA {after}%; {result.Budget.LmCalls} LM calls; strategies "
            + string.Join(" | ", result.TrialLogs.Select(l => string.Join(",", l.Strategies))));
        foreach (var (score, program) in result.CandidatePrograms)
        {
            var predictor = program.NamedPredictors()[0].Predictor;
            output.WriteLine($"  train {score}: {predictor.Demos.Count} demos; instructions: {predictor.Signature.Instructions.Replace("\n", " / ", StringComparison.Ordinal)}");
        }
        output.WriteLine("  steps: " + string.Join(" | ", result.TrialLogs.Select(l => $"{l.BaselineScore:0.00} -> {string.Join(",", l.CandidateScores.Select(c => c.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}")));
        return (before, after, result);
    }

    [Fact]
    public async Task Simba_raises_intent_dev_accuracy()
    {
        var options = Small() with { Bsize = 16, NumCandidates = 6, MaxSteps = 8 };
        var (before, after, result) = await RunAsync("intent", new Predict(IntentSignature()), "text", 64, 100, options);
        Assert.Equal(8, result.TrialLogs.Count);
        Assert.True(after > before, $"after {after} should beat before {before}");
    }

    [Fact]
    public async Task Simba_raises_arithmetic_dev_accuracy()
    {
        // Three starting demos (of the ten templates) give SIMBA demo patterns to vary among.
        var student = new Predict(Signature.Parse("question -> answer: int")) { Demos = SampleData.LoadExamples("arithmetic", "demos", 3, "question") };
        var options = Small() with { Bsize = 16, NumCandidates = 6, MaxSteps = 6, MaxDemos = 10 };
        var (before, after, _) = await RunAsync("arithmetic", student, "question", 48, 60, options);
        Assert.True(after > before, $"after {after} should beat before {before}");
    }

    [Fact]
    public async Task Simba_raises_arithmetic_dev_accuracy_from_no_demos()
    {
        // Without demos the sim's greedy answer adds all numbers; its temperature-1 rollouts sample other patterns
        // (docs/sim.md), so runs of one example score differently and SIMBA has gaps to learn rules and demos from.
        var student = new Predict(Signature.Parse("question -> answer: int"));
        var options = Small() with { Bsize = 16, NumCandidates = 6, MaxSteps = 6, MaxDemos = 10 };
        var (before, after, _) = await RunAsync("arithmetic", student, "question", 48, 60, options);
        Assert.True(after > before + 10, $"after {after} should beat before {before}");
    }

    [Fact]
    public async Task Same_seed_gives_byte_identical_programs_across_runs_and_thread_counts_through_the_evaluator()
    {
        var saved = new List<string>();
        foreach (var threads in new[] { 1, 4, 1 })
        {
            var evaluator = new TracingEvaluator();
            var (_, _, result) = await RunAsync("intent", new Predict(IntentSignature()), "text", 24, 10, Small("exact_match", threads) with { Seed = 3 }, evaluator);
            saved.Add(PythonJson.Dumps(result.Program.DumpState(), ensureAscii: false, indent: 2));
            Assert.True(evaluator.AllTraced);
            Assert.Contains("trajectories", evaluator.Phases);
            Assert.Contains("minibatch", evaluator.Phases);
            Assert.Contains("full", evaluator.Phases);
        }
        Assert.All(saved, s => Assert.Equal(saved[0], s));
    }

    [Fact]
    public async Task The_trainset_must_hold_a_batch()
    {
        var simba = new Dspy.Simba(Metrics.ExactMatch);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => simba.OptimizeAsync(new Predict(TestSignatures.QA()), [new Example { ["question"] = "q", ["answer"] = "a" }]));
        Assert.StartsWith("Trainset too small: 1 < 32", error.Message, StringComparison.Ordinal);
    }

    private sealed class TracingEvaluator : IProgramEvaluator
    {
        private readonly Lock _lock = new();
        public bool AllTraced { get; private set; } = true;
        public HashSet<string> Phases { get; } = [];

        public Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                AllTraced &= request.CaptureTraces;
                Phases.Add(request.Phase ?? "");
            }
            return LocalProgramEvaluator.Instance.EvaluateAsync(request, cancellationToken);
        }
    }
}
