namespace Dspy.Tests.Adapters;

public class AdapterCallTests
{
    private static readonly Signature QA = Sigs.Make("Answer.", Field.Input("question"), Field.Output("answer"));

    [Fact]
    public async Task Chat_adapter_calls_the_lm_and_parses()
    {
        var lm = new ScriptedLM("[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]");
        var result = await new ChatAdapter().CallAsync(lm, new Dictionary<string, object?> { ["temperature"] = 0.5 }, QA, [], Sigs.Inputs(("question", "Capital?")));
        Assert.Equal("Paris", Assert.Single(result)["answer"]);
        Assert.Single(lm.Calls);
        Assert.Equal(0.5, lm.Calls[0].Kwargs["temperature"]);
        Assert.False(lm.Calls[0].Kwargs.ContainsKey("dspy_fallback_from"));
    }

    [Fact]
    public async Task Unparseable_chat_response_falls_back_to_json_adapter_with_a_visible_second_call()
    {
        var lm = new ScriptedLM("I think it is Paris.", "{\"answer\": \"Paris\"}");
        var result = await new ChatAdapter().CallAsync(lm, new Dictionary<string, object?>(), QA, [], Sigs.Inputs(("question", "Capital?")));
        Assert.Equal("Paris", Assert.Single(result)["answer"]);
        Assert.Equal(2, lm.Calls.Count);
        Assert.False(lm.Calls[0].Kwargs.ContainsKey("dspy_fallback_from"));
        Assert.Equal("ChatAdapter", lm.Calls[1].Kwargs["dspy_fallback_from"]);
        // The second prompt is the JSON adapter's.
        Assert.Contains("Outputs will be a JSON object with the following fields.", lm.Calls[1].Messages[0].Text, StringComparison.Ordinal);
        Assert.Equal("[[ ## question ## ]]\nCapital?\n\nRespond with a JSON object in the following order of fields: `answer`.", lm.Calls[1].Messages[1].Text);
    }

    [Fact]
    public async Task Fallback_can_be_disabled()
    {
        var lm = new ScriptedLM("no markers here", "{\"answer\": \"Paris\"}");
        await Assert.ThrowsAsync<AdapterParseError>(() => new ChatAdapter(useJsonAdapterFallback: false).CallAsync(lm, new Dictionary<string, object?>(), QA, [], Sigs.Inputs(("question", "Q"))));
        Assert.Single(lm.Calls);
    }

    [Fact]
    public async Task Lm_errors_are_not_retried()
    {
        var lm = new FailingLM();
        await Assert.ThrowsAsync<FakeLMError>(() => new ChatAdapter().CallAsync(lm, new Dictionary<string, object?>(), QA, [], Sigs.Inputs(("question", "Q"))));
        Assert.Equal(1, lm.Count);
    }

    [Fact]
    public async Task Empty_completion_raises_the_empty_response_error()
    {
        var lm = new ScriptedLM("", "");
        var ex = await Assert.ThrowsAsync<AdapterParseError>(() => new ChatAdapter().CallAsync(lm, new Dictionary<string, object?>(), QA, [], Sigs.Inputs(("question", "Q"))));
        Assert.StartsWith("The LM returned an empty or null response.\n\nAdapter JsonAdapter failed to parse the LM response.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, lm.Calls.Count);
    }

    [Fact]
    public async Task Several_generations_are_each_parsed()
    {
        var lm = new ScriptedLM();
        lm.Enqueue(new LMOutput { Text = "[[ ## answer ## ]]\nA" }, new LMOutput { Text = "[[ ## answer ## ]]\nB" });
        var result = await new ChatAdapter().CallAsync(lm, new Dictionary<string, object?> { ["n"] = 2L }, QA, [], Sigs.Inputs(("question", "Q")));
        Assert.Equal(["A", "B"], result.Select(r => r["answer"]));
    }

    [Fact]
    public async Task Non_native_adapter_strips_tool_kwargs()
    {
        var lm = new ScriptedLM("[[ ## answer ## ]]\nA");
        await new ChatAdapter().CallAsync(lm, new Dictionary<string, object?> { ["tools"] = new List<object?>(), ["tool_choice"] = "auto" }, QA, [], Sigs.Inputs(("question", "Q")));
        Assert.False(lm.Calls[0].Kwargs.ContainsKey("tools"));
        Assert.False(lm.Calls[0].Kwargs.ContainsKey("tool_choice"));
    }

    [Fact]
    public async Task Native_function_calling_sends_tools_and_fills_tool_calls()
    {
        var sig = Sigs.Make("Use tools.", Field.Input("question"), Field.Input("tools", TypeSpec.ListOf(TypeSpec.ToolType)),
            Field.Output("answer"), Field.Output("tool_calls", TypeSpec.ToolCallsType));
        var lm = new ScriptedLM { FunctionCalling = true };
        lm.Enqueue(new LMOutput { Text = null, ToolCalls = [new LMToolCall("call_1", "search", new Dictionary<string, object?> { ["query"] = "cats" })] });
        var tool = new FakeTool();
        var result = await new ChatAdapter(useNativeFunctionCalling: true).CallAsync(lm, new Dictionary<string, object?>(), sig, [],
            Sigs.Inputs(("question", "Q"), ("tools", new List<object?> { tool })));

        var sent = Assert.IsType<List<object?>>(lm.Calls[0].Kwargs["tools"]);
        var fn = Assert.IsType<Dictionary<string, object?>>(Assert.IsType<Dictionary<string, object?>>(Assert.Single(sent))["function"]);
        Assert.Equal("search", fn["name"]);
        var system = lm.Calls[0].Messages[0].Text;
        Assert.DoesNotContain("tool_calls", system, StringComparison.Ordinal);
        Assert.DoesNotContain("`tools`", system, StringComparison.Ordinal);
        var calls = Assert.IsType<ToolCalls>(result[0]["tool_calls"]);
        Assert.Equal("search", Assert.Single(calls.Calls).Name);
        Assert.Equal("call_1", calls.Calls[0].Id);
        Assert.Null(result[0]["answer"]);
    }

    private sealed class FakeTool : IToolDefinition
    {
        public string Name => "search";

        public string Description => "Search the web.";

        public IReadOnlyDictionary<string, object?> ParametersSchema { get; } = new Dictionary<string, object?>
        {
            ["type"] = "object",
            ["properties"] = new Dictionary<string, object?> { ["query"] = new Dictionary<string, object?> { ["type"] = "string" } },
            ["required"] = new List<object?> { "query" },
        };
    }

    private class LMError(string message) : Exception(message);

    private sealed class FakeLMError() : LMError("rate limited");

    private sealed class FailingLM() : BaseLM("test/failing")
    {
        public int Count { get; private set; }

        public override Task<LMResponse> CallAsync(IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
            CancellationToken cancellationToken = default)
        {
            Count++;
            throw new FakeLMError();
        }

        public override BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null) => throw new NotSupportedException();
    }
}

public class HistoryToolCallTests
{
    [Fact]
    public void Native_function_calling_leaves_tool_calls_out_of_history_text()
    {
        var sig = Sigs.Make(null, Field.Input("question"), Field.Input("history", TypeSpec.HistoryType),
            Field.Output("next_thought"), Field.Output("tool_calls", TypeSpec.ToolCallsType));
        var calls = ToolCalls.FromDictList([new Dictionary<string, object?> { ["name"] = "search", ["args"] = new Dictionary<string, object?> { ["query"] = "cats" } }]);
        var history = new History([new Dictionary<string, object?> { ["question"] = "Q1", ["next_thought"] = "I should search.", ["tool_calls"] = calls }]);
        var inputs = Sigs.Inputs(("question", "Q2"), ("history", history));

        var native = new JsonAdapter().Format(sig, [], inputs);
        Assert.Equal("{\n  \"next_thought\": \"I should search.\"\n}", native[2].Text);

        var text = new ChatAdapter().Format(sig, [], inputs);
        Assert.Equal("[[ ## next_thought ## ]]\nI should search.\n\n[[ ## tool_calls ## ]]\n{\"tool_calls\": [{\"name\": \"search\", \"args\": {\"query\": \"cats\"}}]}\n\n[[ ## completed ## ]]\n",
            text[2].Text);
    }
}
