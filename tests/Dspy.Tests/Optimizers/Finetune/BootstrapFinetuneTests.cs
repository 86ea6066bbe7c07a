using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers;

public class BootstrapFinetuneTests
{
    private static readonly Metric AnswerMatch = Metric.Create("answer_match", (e, p, t) => Equals(e["answer"], p["answer"]));

    private sealed class TwoHop : Module
    {
        public Predict First { get; } = new(TestSignatures.QA());

        public Predict Second { get; } = new(TestSignatures.QA());

        protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
        {
            var a = await First.CallAsync(inputs, cancellationToken);
            return await Second.CallAsync(new Dictionary<string, object?> { ["question"] = a["answer"] }, cancellationToken);
        }
    }

    /// <summary>Records the data of each job and returns a new LM named after the base model.</summary>
    private sealed class RecordingProvider : FinetuneProvider
    {
        public List<(BaseLM Lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> Data, IReadOnlyDictionary<string, object?>? Kwargs)> Jobs { get; } = [];

        public override bool CanFinetune(BaseLM lm) => true;

        public override Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData, TrainDataFormat trainDataFormat,
            IReadOnlyDictionary<string, object?>? trainKwargs, CancellationToken cancellationToken = default)
        {
            int n;
            lock (Jobs)
            {
                Jobs.Add((lm, trainData, trainKwargs));
                n = Jobs.Count;
            }
            var tuned = new ScriptedLM(model: $"scripted/ft-{n}");
            return Task.FromResult(new FinetuneJob(lm.Model, $"ft-{n}", tuned, $"job-{n}", $"file-{n}", trainData.Count, 1));
        }
    }

    // q{n} -> a{n} for even n, "wrong" otherwise; a second hop repeats its input.
    private static RuleLM Lm() => new(r => new Dictionary<string, object?>
    {
        ["answer"] = r.Input.StartsWith('a') || r.Input == "wrong" ? r.Input : RuleLM.NumberOf(r.Input) % 2 == 0 ? $"a{RuleLM.NumberOf(r.Input)}" : "wrong",
    });

    private static List<string> Roles(IReadOnlyDictionary<string, object?> record) =>
        ((IEnumerable<object?>)record["messages"]!).Select(m => (string)((IReadOnlyDictionary<string, object?>)m!)["role"]!).ToList();

    private static string Content(IReadOnlyDictionary<string, object?> record, int i) =>
        (string)((IReadOnlyDictionary<string, object?>)((IList<object?>)record["messages"]!)[i]!)["content"]!;

    [Fact]
    public async Task Multitask_sends_every_kept_trace_step_as_a_chat_record_to_one_job_per_lm_and_swaps_in_the_fine_tuned_lm()
    {
        var lm = Lm();
        var student = new TwoHop();
        student.SetLm(lm);
        var provider = new RecordingProvider();
        using var _ = Settings.Context(s => s with { NumThreads = 2 });

        var result = await new BootstrapFinetune(AnswerMatch, trainKwargs: new Dictionary<string, object?> { ["n_epochs"] = 3L }, provider: provider)
            .FinetuneAsync(student, LabeledFewShotTests.Trainset(6));

        var job = Assert.Single(provider.Jobs);
        Assert.Same(lm, job.Lm);
        Assert.Equal(3L, job.Kwargs!["n_epochs"]);
        // q0, q2, q4 are right: 3 traces x 2 steps, shuffled by random.Random(0).
        Assert.Equal(3, result.KeptTraces);
        Assert.Equal(6, job.Data.Count);
        Assert.All(job.Data, r => Assert.Equal(["system", "user", "assistant"], Roles(r)));
        var expected = new List<string> { "q0", "a0", "q2", "a2", "q4", "a4" };
        new PythonRandom(0).Shuffle(expected);
        Assert.Equal(expected, job.Data.Select(r => Content(r, 1).Split('\n')[1]));
        Assert.StartsWith("[[ ## answer ## ]]\na", Content(job.Data[0], 2), StringComparison.Ordinal);

        var program = (TwoHop)result.Program;
        Assert.Equal("scripted/ft-1", program.First.Lm!.Model);
        Assert.Same(program.First.Lm, program.Second.Lm);
        Assert.True(program.Compiled);
        Assert.Same(lm, student.First.Lm); // the student itself is not changed
    }

    [Fact]
    public async Task Without_multitask_each_predictor_gets_its_own_job_with_its_own_steps_and_the_thread_limit_applies()
    {
        var student = new TwoHop();
        student.SetLm(Lm());
        var provider = new RecordingProvider();
        using var _ = Settings.Context(s => s with { NumThreads = 2 });

        var result = await new BootstrapFinetune(AnswerMatch, multitask: false, provider: provider).FinetuneAsync(student, LabeledFewShotTests.Trainset(4));

        Assert.Equal(2, provider.Jobs.Count);
        var byLm = provider.Jobs.OrderBy(j => j.Data.Select(r => Content(r, 1)).First().Contains("\nq", StringComparison.Ordinal) ? 0 : 1).ToList();
        Assert.All(byLm[0].Data, r => Assert.Contains("\nq", Content(r, 1), StringComparison.Ordinal));
        Assert.All(byLm[1].Data, r => Assert.Contains("\na", Content(r, 1), StringComparison.Ordinal));
        Assert.NotSame(((TwoHop)result.Program).First.Lm, ((TwoHop)result.Program).Second.Lm);

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            new BootstrapFinetune(AnswerMatch, multitask: false, numThreads: 1, provider: provider).CompileAsync(student, LabeledFewShotTests.Trainset(4)));
        Assert.Contains("There are 2 fine-tuning jobs to start, but the number of threads is: 1!", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demos_are_in_the_training_prompts_unless_excluded_and_exclusion_clears_them()
    {
        var student = new Predict(TestSignatures.QA()) { Demos = [LabeledFewShotTests.Trainset(10)[8]] };
        student.SetLm(Lm());
        var provider = new RecordingProvider();

        await new BootstrapFinetune(AnswerMatch, provider: provider).CompileAsync(student, LabeledFewShotTests.Trainset(4));
        Assert.All(provider.Jobs[0].Data, r => Assert.Equal(["system", "user", "assistant", "user", "assistant"], Roles(r)));

        var excluded = (Predict)await new BootstrapFinetune(AnswerMatch, excludeDemos: true, provider: provider).CompileAsync(student, LabeledFewShotTests.Trainset(4));
        Assert.All(provider.Jobs[1].Data, r => Assert.Equal(["system", "user", "assistant"], Roles(r)));
        Assert.Empty(excluded.Demos);
        Assert.Single(student.Demos);
    }

    [Fact]
    public async Task Traces_come_from_the_evaluator_seam_and_bad_input_fails_clearly()
    {
        var student = new Predict(TestSignatures.QA());
        var e = await Assert.ThrowsAsync<ArgumentException>(() => new BootstrapFinetune(provider: new RecordingProvider()).CompileAsync(student, LabeledFewShotTests.Trainset(2)));
        Assert.Contains("Predictor 0 does not have an LM assigned", e.Message, StringComparison.Ordinal);

        student.SetLm(Lm());
        var evaluator = new PhaseRecorder();
        await new BootstrapFinetune(provider: new RecordingProvider()).CompileAsync(student, LabeledFewShotTests.Trainset(3), new CompileOptions { Evaluator = evaluator });
        var request = Assert.Single(evaluator.Requests);
        Assert.True(request.CaptureTraces);
        Assert.Equal("bootstrap_trace", request.Phase);
        Assert.Equal(30, request.MaxErrors);

        var none = await Assert.ThrowsAsync<ArgumentException>(() =>
            new BootstrapFinetune(Metric.Create("never", (ex, p, t) => false), provider: new RecordingProvider()).CompileAsync(student, LabeledFewShotTests.Trainset(3)));
        Assert.Contains("no trace was kept", none.Message, StringComparison.Ordinal);

        var other = new TwoHop();
        var mismatch = await Assert.ThrowsAsync<ArgumentException>(() =>
            new BootstrapFinetune(provider: new RecordingProvider()).CompileAsync(student, LabeledFewShotTests.Trainset(3), new CompileOptions { Teacher = other }));
        Assert.Contains("must have the same number of predictors", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openai_provider_refuses_models_of_other_providers_with_dspys_error()
    {
        var provider = new OpenAIFinetuneProvider();
        Assert.False(provider.CanFinetune(new LM("sim")));
        var e = await Assert.ThrowsAsync<LMUnsupportedFeatureError>(() => provider.FinetuneAsync(new LM("sim"), [new Dictionary<string, object?>()], TrainDataFormat.Chat, null));
        Assert.Contains("does not support fine-tuning", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => provider.FinetuneAsync(new LM("openai/x", apiBase: "http://127.0.0.1:9/v1"), [], TrainDataFormat.Chat, null));
    }

    [Fact]
    public async Task A_dry_run_projects_the_tracing_calls_and_starts_no_job()
    {
        var student = new Predict(TestSignatures.QA());
        student.SetLm(new LM("openai/never-called", apiBase: "http://127.0.0.1:9/v1"));
        var provider = new RecordingProvider();

        var projection = await DryRun.ProjectAsync(new BootstrapFinetune(provider: provider), student, LabeledFewShotTests.Trainset(12));

        Assert.Empty(provider.Jobs);
        Assert.Equal(12, projection.Projected.LmCalls);
        Assert.False(projection.StoppedByBudget);
    }

    private sealed class PhaseRecorder : IProgramEvaluator
    {
        public List<ProgramEvaluationRequest> Requests { get; } = [];

        public Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
        {
            lock (Requests) Requests.Add(request);
            return LocalProgramEvaluator.Instance.EvaluateAsync(request, cancellationToken);
        }
    }
}
