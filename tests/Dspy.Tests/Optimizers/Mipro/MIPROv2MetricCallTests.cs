using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Mipro;

/// <summary>
/// MIPROv2 makes exactly the metric calls DSPy's formulas give (reference/dspy.md section 3.1). The metric is wrapped to
/// count its invocations: calls with a trace are bootstrapping runs, calls without one are evaluations. While
/// bootstrapping the metric always fails, so each BootstrapFewShot demo set tries every training example once
/// (max_rounds = 1), which makes the bootstrapping count independent of the LM's answers.
/// </summary>
public sealed class MIPROv2MetricCallTests
{
    private sealed class CountingMetric
    {
        private int _evaluations;
        private int _bootstraps;
        public int Evaluations => _evaluations;
        public int Bootstraps => _bootstraps;

        public Metric Metric { get; }

        public CountingMetric()
        {
            var exact = Metrics.Get("exact_match");
            Metric = Metric.CreateAsync("counting_exact_match", async (example, prediction, trace, token) =>
            {
                if (trace is not null)
                {
                    Interlocked.Increment(ref _bootstraps);
                    return 0.0;
                }
                Interlocked.Increment(ref _evaluations);
                return Metric.ToScore(await exact.InvokeAsync(example, prediction, null, token));
            });
        }
    }

    // Counts the examples every request asks for, to show all metric calls go through the evaluator seam.
    private sealed class CountingEvaluator : IProgramEvaluator
    {
        private int _examples;
        public int Examples => _examples;

        public Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _examples, request.Examples.Count);
            return LocalProgramEvaluator.Instance.EvaluateAsync(request, cancellationToken);
        }
    }

    /// <summary>Two predictors: a draft answer, then a checked answer.</summary>
    private sealed class DraftThenAnswer : Module
    {
        public Predict Draft { get; } = new(Signature.Parse("question -> answer: int"));
        public Predict Check { get; } = new(Signature.Parse("question, draft: int -> answer: int"));

        protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
        {
            var draft = await Draft.CallAsync(inputs, cancellationToken);
            return await Check.CallAsync(new Dictionary<string, object?> { ["question"] = inputs["question"], ["draft"] = draft["answer"] }, cancellationToken);
        }
    }

    private static Predict Student() =>
        new(Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "arithmetic", "signature.txt")).Trim()));

    [Fact]
    public async Task Auto_light_with_a_valset_makes_the_metric_calls_of_dspys_formulas()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 20, "question");
        var val = SampleData.LoadExamples("arithmetic", "dev", 60, "question");
        var counter = new CountingMetric();
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = 4 });
        var evaluator = new CountingEvaluator();
        var result = await new MIPROv2(new MIPROv2Options { Metric = counter.Metric }).OptimizeAsync(Student(), train,
            new CompileOptions { Valset = val, Evaluator = evaluator });

        // auto=light: N = 6 demo sets, val_size = 100 (the 60 given examples are all kept), minibatch because 60 > 50.
        // One predictor with demos: num_vars = 2, num_trials = int(max(2 * 2 * log2(6), 1.5 * 6)) = int(max(10.34, 9)) = 10.
        // adjusted_num_trials = 10 + 10 // 5 + 1 + (1 if 10 % 5 else 0) = 13. Trial numbers count the baseline as 1, and a full
        // evaluation (added to the study as its own trial) runs after trial numbers 6 and 12 (t % 6 == 0; 12 is also 13 - 1).
        // Evaluations: baseline 60 + 10 minibatches * 35 + 2 full evaluations * 60 = 530, DSPy's estimate
        // 35 * num_trials + |val| * (num_trials // 5 + 1) = 350 + 60 * 3.
        Assert.Equal(10, result.NumTrials);
        Assert.True(result.Minibatch);
        Assert.Equal(60, result.ValsetSize);
        Assert.Equal(35 * 10 + 60 * (10 / 5 + 1), counter.Evaluations);
        Assert.Equal(530, result.TotalEvalCalls);
        // Bootstrapping: demo sets for seeds -3..2; -3 (zero-shot) and -2 (labeled) call no metric, -1 and the shuffled
        // sets 0, 1, 2 each try all 20 training examples once: 4 * 20 = 80.
        Assert.Equal(4 * 20, counter.Bootstraps);
        Assert.Equal(counter.Evaluations + counter.Bootstraps, evaluator.Examples);
        Assert.Equal(3, result.CandidatePrograms.Count);
        Assert.Equal(10, result.MinibatchCandidatePrograms.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], result.TrialLogs.Select(t => t.TrialNumber));
        Assert.Equal([1, 7, 13], result.TrialLogs.Where(t => t.FullEval).Select(t => t.TrialNumber));
    }

    [Fact]
    public async Task Auto_light_without_a_valset_splits_the_trainset_and_makes_the_formula_calls()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 80, "question");
        var counter = new CountingMetric();
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = 4 });
        var result = await new MIPROv2(new MIPROv2Options { Metric = counter.Metric }).OptimizeAsync(Student(), train);

        // valset_size = min(1000, max(1, int(0.8 * 80))) = 64: the last 64 validate, the first 16 train.
        Assert.Equal(16, result.TrainsetSize);
        Assert.Equal(64, result.ValsetSize);
        // 10 trials as above: 35 * 10 + 64 * 3 = 542 evaluations; bootstrapping 4 sets * 16 = 64.
        Assert.Equal(35 * 10 + 64 * 3, counter.Evaluations);
        Assert.Equal(4 * 16, counter.Bootstraps);
    }

    [Fact]
    public async Task Without_auto_and_without_minibatches_every_trial_is_a_full_evaluation()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 12, "question");
        var val = SampleData.LoadExamples("arithmetic", "dev", 10, "question");
        var counter = new CountingMetric();
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var optimizer = new MIPROv2(new MIPROv2Options { Metric = counter.Metric, Auto = null, NumCandidates = 3 });
        var result = await optimizer.OptimizeAsync(Student(), train, new CompileOptions { Valset = val },
            new MIPROv2CompileArgs { NumTrials = 4, Minibatch = false });

        // Baseline + 4 trials, each on the 10 val examples; demo sets -3, -2, -1: only -1 bootstraps (12 tries).
        Assert.Equal(10 + 4 * 10, counter.Evaluations);
        Assert.Equal(12, counter.Bootstraps);
        Assert.Equal(5, result.CandidatePrograms.Count);
        Assert.Empty(result.MinibatchCandidatePrograms);
    }

    [Fact]
    public async Task Auto_light_with_two_predictors_makes_the_formula_calls()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 12, "question");
        var val = SampleData.LoadExamples("arithmetic", "dev", 52, "question");
        var counter = new CountingMetric();
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = 4 });
        var result = await new MIPROv2(new MIPROv2Options { Metric = counter.Metric }).OptimizeAsync(new DraftThenAnswer(), train, new CompileOptions { Valset = val });

        // Two predictors with demos: num_vars = 4, num_trials = int(max(4 * 2 * log2(6), 9)) = int(20.68) = 20;
        // adjusted = 20 + 4 + 1 + 0 = 25; full evaluations after trial numbers 6, 12, 18 and 24 (= 25 - 1): 4 plus the
        // baseline, DSPy's num_trials // 5 + 1 = 5. Evaluations: 35 * 20 + 52 * 5 = 960; bootstrapping: 4 sets * 12 = 48.
        Assert.Equal(20, result.NumTrials);
        Assert.Equal(35 * 20 + 52 * 5, counter.Evaluations);
        Assert.Equal(4 * 12, counter.Bootstraps);
        Assert.All(result.InstructionCandidates, c => Assert.Equal(3, c.Count));
        Assert.Equal(2, result.DemoCandidates!.Count);
        Assert.All(result.DemoCandidates, sets => Assert.Equal(6, sets.Count));
        Assert.Equal(["0_predictor_instruction", "0_predictor_demos", "1_predictor_instruction", "1_predictor_demos"], result.TrialLogs[1].Params.Keys);
    }

    [Theory]
    [InlineData(1, false, 6, 10)]
    [InlineData(1, true, 6, 9)]
    [InlineData(2, false, 6, 20)]
    [InlineData(3, true, 6, 15)]
    [InlineData(1, false, 12, 18)]
    [InlineData(2, false, 12, 28)]
    [InlineData(3, false, 12, 43)]
    [InlineData(1, false, 18, 27)]
    [InlineData(3, false, 18, 50)]
    [InlineData(2, true, 18, 27)]
    public void Num_trials_follow_dspys_auto_table(int predictors, bool zeroShot, int n, int trials) =>
        Assert.Equal(trials, MIPROv2.NumTrialsFromNumCandidates(predictors, zeroShot, n));

    [Theory]
    [InlineData(10, true, 5, 13)]
    [InlineData(20, true, 5, 25)]
    [InlineData(9, true, 5, 12)]
    [InlineData(10, false, 5, 10)]
    public void Adjusted_trials_count_the_full_evaluations(int trials, bool minibatch, int steps, int adjusted) =>
        Assert.Equal(adjusted, MIPROv2.AdjustedNumTrials(trials, minibatch, steps));
}
