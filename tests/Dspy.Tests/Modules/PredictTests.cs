using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class PredictTests
{
    private static Dictionary<string, object?> Answer(string a) => new() { ["answer"] = a };

    [Fact]
    public async Task Call_formats_calls_the_lm_and_parses_outputs()
    {
        var lm = new ScriptedLM([Answer("Paris")]);
        var adapter = new MarkerAdapter();
        using var _ = TestSignatures.Use(lm, adapter);
        var predict = new Predict(TestSignatures.QA());

        var pred = await predict.CallAsync(("question", "Capital of France?"));

        Assert.Equal("Paris", pred["answer"]);
        Assert.Equal(1, pred.Completions!.Count);
        var call = Assert.Single(adapter.Calls);
        Assert.Equal("Capital of France?", call.Inputs["question"]);
        Assert.Single(lm.Requests);
    }

    [Fact]
    public async Task Lm_resolution_prefers_call_then_predictor_then_settings()
    {
        var settingsLm = new ScriptedLM([Answer("from settings")]);
        var ownLm = new ScriptedLM([Answer("from predictor")]);
        var callLm = new ScriptedLM([Answer("from call")]);
        using var _ = TestSignatures.Use(settingsLm);
        var predict = new Predict(TestSignatures.QA());

        Assert.Equal("from settings", (await predict.CallAsync(("question", "q")))["answer"]);
        predict.Lm = ownLm;
        Assert.Equal("from predictor", (await predict.CallAsync(("question", "q")))["answer"]);
        Assert.Equal("from call", (await predict.CallAsync(("question", "q"), ("lm", callLm)))["answer"]);
        Assert.Single(settingsLm.Requests);
        Assert.Single(ownLm.Requests);
        Assert.Single(callLm.Requests);
    }

    [Fact]
    public async Task No_lm_raises_dspy_message()
    {
        using var _ = TestSignatures.Use(null);
        var predict = new Predict(TestSignatures.QA());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => predict.CallAsync(("question", "q")));
        Assert.Equal("No LM is loaded. Please configure the LM using `dspy.configure(lm=dspy.LM(...))`. e.g, "
            + "`dspy.configure(lm=dspy.LM('openai/gpt-4o-mini'))`", ex.Message);
    }

    [Fact]
    public async Task String_lm_raises_dspy_message()
    {
        using var _ = TestSignatures.Use(null);
        var predict = new Predict(TestSignatures.QA());
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => predict.CallAsync(("question", "q"), ("lm", "openai/gpt-4o-mini")));
        Assert.StartsWith("LM must be an instance of `dspy.BaseLM`, not a string.", ex.Message);
        Assert.Contains("dspy.configure(lm=dspy.LM(\"openai/gpt-4o-mini\"))", ex.Message);
    }

    [Theory]
    [InlineData(3L, null, 0.7)]
    [InlineData(3L, 0.1, 0.7)]
    [InlineData(3L, 0.15, 0.7)]
    [InlineData(3L, 0.5, 0.5)]
    [InlineData(1L, null, null)]
    [InlineData(1L, 0.0, 0.0)]
    public async Task N_greater_than_one_forces_temperature(long n, double? temperature, double? expected)
    {
        var lm = new ScriptedLM();
        using var _ = TestSignatures.Use(lm);
        var config = new Dictionary<string, object?> { ["n"] = n };
        if (temperature is not null) config["temperature"] = temperature;
        var predict = new Predict(TestSignatures.QA(), config);

        var pred = await predict.CallAsync(("question", "q"));

        var kwargs = Assert.Single(lm.Requests).Kwargs;
        Assert.Equal(expected, kwargs.TryGetValue("temperature", out var t) ? (double?)t : null);
        Assert.Equal((int)n, pred.Completions!.Count);
    }

    [Fact]
    public async Task Temperature_rule_reads_n_and_temperature_from_lm_kwargs()
    {
        var lm = new ScriptedLM(kwargs: new Dictionary<string, object?> { ["n"] = 2L });
        using var _ = TestSignatures.Use(lm);
        await new Predict(TestSignatures.QA()).CallAsync(("question", "q"));
        Assert.Equal(0.7, lm.Requests[0].Kwargs["temperature"]);

        // Python's `or` skips a zero temperature in config and looks at the LM's, which is high enough here.
        var warm = new ScriptedLM(kwargs: new Dictionary<string, object?> { ["temperature"] = 0.9 });
        using var __ = TestSignatures.Use(warm);
        await new Predict(TestSignatures.QA(), new Dictionary<string, object?> { ["n"] = 2L, ["temperature"] = 0.0 }).CallAsync(("question", "q"));
        Assert.Equal(0.0, warm.Requests[0].Kwargs["temperature"]);
    }

    [Fact]
    public async Task Call_config_overrides_predictor_config_and_is_not_an_input()
    {
        var lm = new ScriptedLM();
        var adapter = new MarkerAdapter();
        using var _ = TestSignatures.Use(lm, adapter);
        var predict = new Predict(TestSignatures.QA(), new Dictionary<string, object?> { ["temperature"] = 0.2, ["max_tokens"] = 100L });

        await predict.CallAsync(("question", "q"), ("config", new Dictionary<string, object?> { ["temperature"] = 1.0 }));

        var kwargs = lm.Requests[0].Kwargs;
        Assert.Equal(1.0, kwargs["temperature"]);
        Assert.Equal(100L, kwargs["max_tokens"]);
        Assert.Equal(["question"], adapter.Calls[0].Inputs.Keys.ToArray());
        Assert.Equal(0.2, predict.GetConfig()["temperature"]);
    }

    [Fact]
    public async Task Demos_and_signature_can_be_given_per_call()
    {
        var adapter = new MarkerAdapter();
        using var _ = TestSignatures.Use(new ScriptedLM(), adapter);
        var predict = new Predict(TestSignatures.QA()) { Demos = [new Example(new Dictionary<string, object?> { ["question"] = "own", ["answer"] = "x" })] };
        var other = TestSignatures.QA().WithInstructions("Other.");
        var demo = new Example(new Dictionary<string, object?> { ["question"] = "call", ["answer"] = "y" });

        await predict.CallAsync(("question", "q"));
        await predict.CallAsync(("question", "q"), ("demos", new List<Example> { demo }), ("signature", other));

        Assert.Equal("own", adapter.Calls[0].Demos[0]["question"]);
        Assert.Equal("call", adapter.Calls[1].Demos[0]["question"]);
        Assert.Equal("Other.", adapter.Calls[1].Signature.Instructions);
    }

    [Fact]
    public async Task Missing_input_takes_field_default_or_warns_or_throws_when_strict()
    {
        var adapter = new MarkerAdapter();
        var withDefault = new Signature([Field.Input("question"), Field.Input("style") with { HasDefault = true, DefaultValue = "short" }, Field.Output("answer")]);
        using (TestSignatures.Use(new ScriptedLM(), adapter))
        {
            await new Predict(withDefault).CallAsync(("question", "q"));
            Assert.Equal("short", adapter.Calls[0].Inputs["style"]);

            // DSPy only warns about a missing input; the call still happens.
            await new Predict(TestSignatures.ContextQA()).CallAsync(("question", "q"));
            Assert.Equal(2, adapter.Calls.Count);
        }

        using (TestSignatures.Use(new ScriptedLM(), adapter, s => s with { StrictInputs = true }))
        {
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => new Predict(TestSignatures.ContextQA()).CallAsync(("question", "q")));
            Assert.Equal("Not all input fields were provided to module. Present: ['question']. Missing: ['context'].", ex.Message);
        }
    }

    [Fact]
    public void MissingInputs_ignores_defaults_and_optional_fields()
    {
        var sig = new Signature([
            Field.Input("a"),
            Field.Input("b", TypeSpec.Optional(TypeSpec.Str)),
            Field.Input("c") with { HasDefault = true, DefaultValue = 1L },
            Field.Output("out"),
        ]);
        Assert.Equal(["a"], new Predict(sig).MissingInputs(new Dictionary<string, object?>()));
    }

    [Fact]
    public async Task Each_call_appends_a_trace_step_capped_at_max_trace_size()
    {
        var trace = new TraceLog();
        using var _ = TestSignatures.Use(new ScriptedLM(), more: s => s with { Trace = trace, MaxTraceSize = 2 });
        var predict = new Predict(TestSignatures.QA());

        var p1 = await predict.CallAsync(("question", "1"), ("config", new Dictionary<string, object?>()));
        var p2 = await predict.CallAsync(("question", "2"));
        var p3 = await predict.CallAsync(("question", "3"));
        await predict.CallAsync(("question", "4"), ("_trace", false));

        Assert.Equal(2, trace.Count);
        Assert.Same(predict, trace.Steps[0].Predictor);
        Assert.Equal("2", trace.Steps[0].Inputs["question"]);
        Assert.Same(p2, trace.Steps[0].Outputs);
        Assert.Same(p3, trace.Steps[1].Outputs);
        Assert.Equal(["question"], trace.Steps[1].Inputs.Keys.ToArray());
        Assert.NotSame(p1, trace.Steps[0].Outputs);
    }

    [Fact]
    public async Task Max_trace_size_zero_records_nothing()
    {
        var trace = new TraceLog();
        using var _ = TestSignatures.Use(new ScriptedLM(), more: s => s with { Trace = trace, MaxTraceSize = 0 });
        await new Predict(TestSignatures.QA()).CallAsync(("question", "q"));
        Assert.Equal(0, trace.Count);
    }

    [Fact]
    public void Reset_clears_lm_demos_and_state()
    {
        var predict = new Predict(TestSignatures.QA())
        {
            Lm = new ScriptedLM(),
            Demos = [new Example()],
            Traces = ["t"],
            Train = ["x"],
        };
        predict.Reset();
        Assert.Null(predict.Lm);
        Assert.Empty(predict.Demos);
        Assert.Empty(predict.Traces);
        Assert.Empty(predict.Train);
    }

    [Fact]
    public void UpdateConfig_merges()
    {
        var predict = new Predict(TestSignatures.QA(), new Dictionary<string, object?> { ["temperature"] = 0.5 });
        predict.UpdateConfig(("n", 2L), ("temperature", 1.0));
        Assert.Equal(1.0, predict.GetConfig()["temperature"]);
        Assert.Equal(2L, predict.GetConfig()["n"]);
    }

    [Fact]
    public void DumpState_has_dspy_shape()
    {
        var predict = new Predict(TestSignatures.QA().WithInstructions("Answer well."))
        {
            Demos = [new Example(new Dictionary<string, object?> { ["question"] = "q", ["answer"] = "a", ["score"] = 3 })],
        };
        var state = predict.DumpState();

        Assert.Equal(["traces", "train", "demos", "signature", "lm"], state.Keys.ToArray());
        Assert.Equal(
            """{"traces": [], "train": [], "demos": [{"question": "q", "answer": "a", "score": 3}], "signature": {"instructions": "Answer well.", "fields": [{"prefix": "Question:", "description": "${question}"}, {"prefix": "Answer:", "description": "${answer}"}]}, "lm": null}""",
            PythonJson.Dumps(state));
    }

    [Fact]
    public void LoadState_restores_signature_text_and_demos_and_requires_keys()
    {
        var predict = new Predict(TestSignatures.QA());
        var state = new Dictionary<string, object?>
        {
            ["traces"] = new List<object?>(),
            ["train"] = new List<object?>(),
            ["demos"] = new List<object?> { new Dictionary<string, object?> { ["question"] = "q", ["answer"] = "a" } },
            ["signature"] = new Dictionary<string, object?>
            {
                ["instructions"] = "New instructions.",
                ["fields"] = new List<object?>
                {
                    new Dictionary<string, object?> { ["prefix"] = "Q:", ["description"] = "the question" },
                    new Dictionary<string, object?> { ["prefix"] = "A:", ["description"] = "the answer" },
                },
            },
            ["lm"] = null,
        };

        predict.LoadState(state);

        Assert.Equal("New instructions.", predict.Signature.Instructions);
        Assert.Equal("Q:", predict.Signature["question"]!.Prefix);
        Assert.Equal("the answer", predict.Signature["answer"]!.Description);
        Assert.Equal("a", Assert.Single(predict.Demos)["answer"]);

        var noLm = new Dictionary<string, object?>(state);
        noLm.Remove("lm");
        var before = predict.Signature;
        Assert.Throws<KeyNotFoundException>(() => predict.LoadState(noLm));
        Assert.Same(before, predict.Signature);
    }

    [Fact]
    public void LoadState_treats_an_empty_lm_state_as_no_lm()
    {
        var predict = new Predict(TestSignatures.QA()) { Lm = new ScriptedLM() };
        var state = predict.DumpState();
        Assert.NotNull(state["lm"]);
        state["lm"] = new Dictionary<string, object?>();
        predict.LoadState(state);
        Assert.Null(predict.Lm);
    }

    [Fact]
    public void Bare_predict_names_itself_self()
    {
        var predict = new Predict(TestSignatures.QA());
        var (name, p) = Assert.Single(predict.NamedPredictors());
        Assert.Equal("self", name);
        Assert.Same(predict, p);
    }
}
