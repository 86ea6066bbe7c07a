using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class ModuleCallTests
{
    private static Dictionary<string, object?> Answer(string a) => new() { ["answer"] = a };

    [Fact]
    public async Task Lm_history_goes_to_every_calling_module()
    {
        var program = new Outer();
        using var _ = TestSignatures.Use(new ScriptedLM([Answer("a1"), Answer("a2")]));

        var pred = await program.CallAsync(("question", "q"));

        Assert.Equal("a2", pred["answer"]);
        Assert.Equal(2, program.History.Count);
        Assert.Single(program.Hop.History);
        Assert.Single(program.Hop.Predict1.History);
        Assert.Single(program.Final.History);
        Assert.Same(program.Hop.History[0], program.History[0]);
    }

    [Fact]
    public async Task History_is_capped_and_can_be_disabled()
    {
        var predict = new Predict(TestSignatures.QA());
        using (TestSignatures.Use(new ScriptedLM(), more: s => s with { MaxHistorySize = 2 }))
        {
            for (var i = 0; i < 3; i++) await predict.CallAsync(("question", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.Equal(2, predict.History.Count);

        predict.ClearHistory();
        using (TestSignatures.Use(new ScriptedLM(), more: s => s with { DisableHistory = true }))
        {
            await predict.CallAsync(("question", "q"));
        }
        Assert.Empty(predict.History);
    }

    [Fact]
    public async Task Track_usage_attaches_merged_usage_to_the_outer_prediction_only()
    {
        var program = new Outer();
        var trace = new TraceLog();
        using var _ = TestSignatures.Use(new ScriptedLM([Answer("a1"), Answer("a2")]), more: s => s with { TrackUsage = true, Trace = trace });

        var pred = await program.CallAsync(("question", "q"));

        var usage = Assert.Single(pred.LmUsage!);
        Assert.Equal("scripted/test", usage.Key);
        Assert.Equal(20, usage.Value.PromptTokens);
        Assert.Equal(10, usage.Value.CompletionTokens);
        Assert.Equal(30, usage.Value.TotalTokens);
        Assert.Equal(2, usage.Value.Calls);
        // Inner calls run under the outer tracker, so their predictions carry no usage of their own.
        Assert.Equal(2, trace.Count);
        Assert.Null(trace.Steps[0].Outputs.LmUsage);
        // The outer program returns the final predictor's prediction object itself, so that one carries the total.
        Assert.Same(pred, trace.Steps[1].Outputs);
    }

    [Fact]
    public async Task Track_usage_on_a_single_predict_and_cache_hits_add_nothing()
    {
        var lm = new ScriptedLM([Answer("a")]) { UsagePerCall = LMUsage.Empty };
        using var _ = TestSignatures.Use(lm, more: s => s with { TrackUsage = true });
        var pred = await new Predict(TestSignatures.QA()).CallAsync(("question", "q"));
        Assert.NotNull(pred.LmUsage);
        Assert.Empty(pred.LmUsage);
    }

    [Fact]
    public async Task Without_track_usage_no_usage_is_attached_but_an_outer_tracker_still_counts()
    {
        using var _ = TestSignatures.Use(new ScriptedLM([Answer("a")]));
        using var usage = Settings.TrackUsage();
        var pred = await new Predict(TestSignatures.QA()).CallAsync(("question", "q"));
        Assert.Null(pred.LmUsage);
        Assert.Equal(15, usage.GetTotalTokens()["scripted/test"].TotalTokens);
    }

    [Fact]
    public async Task Callbacks_run_around_module_calls_with_lineage()
    {
        var global = new RecordingCallback();
        var own = new RecordingCallback();
        var program = new Outer();
        program.Callbacks.Add(own);
        using var _ = TestSignatures.Use(new ScriptedLM([Answer("a1"), Answer("a2")]), more: s => s with { Callbacks = [global] });

        var pred = await program.CallAsync(("question", "q"));

        Assert.Equal(
            ["module_start:Outer", "module_start:Inner", "module_start:Predict", "module_end", "module_end", "module_start:Predict", "module_end", "module_end"],
            global.Events);
        Assert.Equal(["module_start:Outer", "module_end"], own.Events);
        var outerId = global.Records[0].CallId;
        Assert.Equal(32, outerId.Length);
        Assert.Null(global.Records[0].ParentId);
        Assert.Equal(outerId, global.Records[1].ParentId);
        Assert.Equal(global.Records[1].CallId, global.Records[2].ParentId);
        Assert.Equal(outerId, global.Records[^1].CallId);
        Assert.Same(pred, global.Records[^1].Payload);
        Assert.Equal("q", ((IReadOnlyDictionary<string, object?>)global.Records[0].Payload!)["question"]);
        Assert.Null(DspyCallbacks.ActiveCallId);
    }

    [Fact]
    public async Task Callback_end_sees_the_exception_and_a_failing_callback_is_ignored()
    {
        var recorder = new RecordingCallback();
        var module = new Failing("boom") { Callbacks = [new ThrowingCallback(), recorder] };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => module.CallAsync(("x", 1L)));

        Assert.Equal("boom", ex.Message);
        Assert.Same(ex, recorder.Records[^1].Error);
        Assert.Null(recorder.Records[^1].Payload);
    }

    [Fact]
    public async Task Call_overloads_take_examples_anonymous_objects_and_dictionaries()
    {
        var adapter = new MarkerAdapter();
        using var _ = TestSignatures.Use(new ScriptedLM(), adapter);
        var predict = new Predict(TestSignatures.QA());

        await predict.CallAsync(new Example(new Dictionary<string, object?> { ["question"] = "from example", ["answer"] = "label" }).WithInputs("question"));
        await predict.CallAsync(new { question = "from object" });
        await predict.CallAsync(new Dictionary<string, string> { ["question"] = "from string dictionary" });
        await predict.CallAsync(new Dictionary<string, object?> { ["question"] = "from dictionary" });

        Assert.Equal(["from example", "from object", "from string dictionary", "from dictionary"], adapter.Calls.Select(c => c.Inputs["question"]));
        Assert.Equal(["question"], adapter.Calls[0].Inputs.Keys.ToArray());
    }

    [Fact]
    public async Task Calling_with_an_example_without_inputs_fails_clearly()
    {
        var predict = new Predict(TestSignatures.QA());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => predict.CallAsync(new Example(new Dictionary<string, object?> { ["question"] = "q" })));
        Assert.Contains("with_inputs", ex.Message);
    }

    [Fact]
    public async Task Chain_of_thought_prepends_reasoning()
    {
        var lm = new ScriptedLM([new Dictionary<string, object?> { ["reasoning"] = "Because.", ["answer"] = "4" }]);
        using var _ = TestSignatures.Use(lm);
        var cot = new ChainOfThought(TestSignatures.QA());

        var pred = await cot.CallAsync(("question", "2+2?"));

        Assert.Equal(["reasoning", "answer"], cot.Predict.Signature.OutputFields.Select(f => f.Name));
        var reasoning = cot.Predict.Signature["reasoning"]!;
        Assert.Equal("Reasoning:", reasoning.Prefix);
        Assert.Equal("${reasoning}", reasoning.Description);
        Assert.Equal("Because.", pred["reasoning"]);
        Assert.Equal("4", pred["answer"]);
        Assert.Single(cot.History);
    }

    [Fact]
    public void Chain_of_thought_accepts_a_custom_rationale_field_and_config()
    {
        var custom = Field.Output("rationale", description: "Think step by step.", prefix: "Thought:");
        var cot = new ChainOfThought(TestSignatures.QA(), custom, config: new Dictionary<string, object?> { ["temperature"] = 0.3 });
        var field = cot.Predict.Signature.OutputFields[0];
        Assert.Equal("reasoning", field.Name);
        Assert.Equal("Thought:", field.Prefix);
        Assert.Equal("Think step by step.", field.Description);
        Assert.Equal(0.3, cot.Predict.Config["temperature"]);

        var typed = new ChainOfThought(TestSignatures.QA(), rationaleFieldType: TypeSpec.ListOf(TypeSpec.Str));
        Assert.Equal("list[str]", typed.Predict.Signature["reasoning"]!.Type.PythonName);
    }

    private sealed class ThrowingCallback : IDspyCallback
    {
        public void OnModuleStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) => throw new InvalidOperationException("bad callback");

        public void OnModuleEnd(string callId, object? outputs, Exception? exception) => throw new InvalidOperationException("bad callback");
    }
}

public class ModuleBatchTests
{
    private static Example Ex(string q) => new Example(new Dictionary<string, object?> { ["question"] = q, ["answer"] = "gold" }).WithInputs("question");

    [Fact]
    public async Task Batch_returns_predictions_in_order_with_null_for_failures()
    {
        var lm = new ScriptedLM
        {
            Responder = messages => messages[^1].Text.Contains("bad", StringComparison.Ordinal)
                ? "no markers at all"
                : new Dictionary<string, object?> { ["answer"] = messages[^1].Text.Split('\n')[^1] },
        };
        using var _ = TestSignatures.Use(lm);
        var examples = new List<Example> { Ex("q0"), Ex("bad"), Ex("q2"), Ex("q3") };

        var results = await new Predict(TestSignatures.QA()).BatchAsync(examples, numThreads: 3);

        Assert.Equal(["q0", null, "q2", "q3"], results.Select(r => (string?)r?["answer"]));
        Assert.Equal(4, lm.Requests.Count);
    }

    [Fact]
    public async Task Batch_stops_at_max_errors()
    {
        using var _ = TestSignatures.Use(new ScriptedLM { Responder = _ => "unparseable" });
        var examples = Enumerable.Range(0, 5).Select(i => Ex($"q{i}")).ToList();
        var ex = await Assert.ThrowsAsync<MaxErrorsExceededException>(() => new Predict(TestSignatures.QA()).BatchAsync(examples, numThreads: 1, maxErrors: 2));
        Assert.Equal(2, ex.Errors.Count);
        Assert.IsType<AdapterParseError>(ex.InnerException);
    }
}
