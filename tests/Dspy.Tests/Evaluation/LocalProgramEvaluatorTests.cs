using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Evaluation;

public sealed class LocalProgramEvaluatorTests
{
    private static Example Ex(string question, string answer) =>
        new Example(new Dictionary<string, object?> { ["question"] = question, ["answer"] = answer }).WithInputs("question");

    private static readonly Metric ExactAnswer = Metric.Create("exact", (e, p) => Equals(e["answer"], p["answer"]));

    [Fact]
    public async Task Scores_each_example_in_order_and_reports_dspy_percentage()
    {
        var lm = new ScriptedLM { Responder = messages => new Dictionary<string, object?> { ["answer"] = messages[^1].Text.Contains("two", StringComparison.Ordinal) ? "2" : "?" } };
        using var scope = Settings.Context(s => s with { Lm = lm });
        var result = await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = new Predict("question -> answer"),
            Examples = [Ex("one", "1"), Ex("two", "2"), Ex("three", "3")],
            Metric = ExactAnswer,
            NumThreads = 3,
        });
        Assert.Equal([0.0, 1.0, 0.0], result.Scores);
        Assert.Equal(33.33, result.Score);
        Assert.Equal(["one", "two", "three"], result.Results.Select(r => (string)r.Example["question"]!));
        Assert.All(result.Results, r => Assert.Empty(r.Trace));
    }

    [Fact]
    public async Task Captures_traces_by_predictor_name_and_passes_them_to_the_metric()
    {
        var lm = new ScriptedLM { Responder = _ => new Dictionary<string, object?> { ["reasoning"] = "r", ["answer"] = "1" } };
        using var scope = Settings.Context(s => s with { Lm = lm });
        object? seenTrace = null;
        var metric = Metric.Create("seen", (e, p, t) => { seenTrace = t; return true; });
        var result = await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = new ChainOfThought("question -> answer"),
            Examples = [Ex("one", "1")],
            Metric = metric,
            CaptureTraces = true,
        });
        var step = Assert.Single(result.Results[0].Trace);
        Assert.Equal("predict", step.PredictorName);
        Assert.Equal("one", step.Inputs["question"]);
        Assert.Equal("1", step.Outputs["answer"]);
        Assert.NotNull(seenTrace);
    }

    [Fact]
    public async Task Excluding_the_example_from_demos_leaves_the_program_unchanged()
    {
        var lm = new ScriptedLM { Responder = _ => new Dictionary<string, object?> { ["answer"] = "1" } };
        using var scope = Settings.Context(s => s with { Lm = lm });
        var program = new Predict("question -> answer");
        var demo = Ex("one", "1");
        program.Demos = [demo, Ex("two", "2")];
        await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = program, Examples = [demo], Metric = ExactAnswer, ExcludeExampleFromDemos = true,
        });
        Assert.Equal(2, program.Demos.Count);
        // System, one demo (user + assistant), then the input: the example's own demo was left out.
        var messages = lm.Requests[0].Messages;
        Assert.Equal(4, messages.Count);
        Assert.Contains("two", messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_get_the_failure_score_and_max_errors_stops_the_run()
    {
        var lm = new ScriptedLM { Responder = _ => throw new InvalidOperationException("boom") };
        using var scope = Settings.Context(s => s with { Lm = lm });
        var request = new ProgramEvaluationRequest
        {
            Program = new Predict("question -> answer"), Examples = [Ex("one", "1"), Ex("two", "2")], Metric = ExactAnswer, FailureScore = 0.25,
        };
        var result = await LocalProgramEvaluator.Instance.EvaluateAsync(request);
        Assert.All(result.Results, r => { Assert.False(r.Succeeded); Assert.Equal(0.25, r.Score); });
        await Assert.ThrowsAsync<MaxErrorsExceededException>(() => LocalProgramEvaluator.Instance.EvaluateAsync(request with { MaxErrors = 1 }));
    }

    [Fact]
    public async Task Lm_overrides_reach_the_request_through_a_copy_of_the_configured_lm()
    {
        var seen = new List<IReadOnlyDictionary<string, object?>>();
        var lm = new KwargsRecordingLM(seen, new Dictionary<string, object?>());
        using var scope = Settings.Context(s => s with { Lm = lm });
        await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = new Predict("question -> answer"), Examples = [Ex("one", "1")], Metric = ExactAnswer,
            LmOverrides = new Dictionary<string, object?> { ["rollout_id"] = 3L, ["temperature"] = 1.0 },
        });
        var kwargs = Assert.Single(seen);
        Assert.Equal(3L, kwargs["rollout_id"]);
        Assert.Equal(1.0, kwargs["temperature"]);
        Assert.Empty(lm.Kwargs);
    }

    private sealed class KwargsRecordingLM(List<IReadOnlyDictionary<string, object?>> seen, Dictionary<string, object?> kwargs)
        : BaseLM("scripted/kwargs", "chat", kwargs)
    {
        public override Task<LMResponse> CallAsync(IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> messages,
            IReadOnlyDictionary<string, object?>? callKwargs = null, CancellationToken cancellationToken = default)
        {
            lock (seen) seen.Add(new Dictionary<string, object?>(Kwargs));
            return Task.FromResult(new LMResponse { Outputs = [new LMOutput { Text = ScriptedLM.Render(new Dictionary<string, object?> { ["answer"] = "1" }), FinishReason = "stop" }] });
        }

        public override BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null)
        {
            var merged = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
            foreach (var (k, v) in overrides ?? new Dictionary<string, object?>()) merged[k] = v;
            return new KwargsRecordingLM(seen, merged);
        }
    }
}
