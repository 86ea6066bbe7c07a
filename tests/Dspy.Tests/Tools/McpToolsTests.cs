using Dspy.Tests.TestDoubles;
using ModelContextProtocol.Protocol;

namespace Dspy.Tests.Tools;

/// <summary>MCP tools against a real MCP server (tests/Dspy.McpTestServer) that the fixture runs as a child process.</summary>
public class McpToolsTests(McpServerFixture server) : IClassFixture<McpServerFixture>
{
    private static Dictionary<string, object?> Turn(string thought, string tool, string args) => new()
    {
        ["next_thought"] = thought,
        ["next_tool_name"] = tool,
        ["next_tool_args"] = args,
    };

    private async Task<Tool> ToolAsync(string name) => (await McpTools.ListAsync(server.Client)).Single(t => t.Name == name);

    [Fact]
    public async Task Lists_the_servers_tools_with_names_descriptions_and_json_schemas()
    {
        var tools = await McpTools.ListAsync(server.Client);

        Assert.Equal(["add", "lookup", "split_words"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var add = tools.Single(t => t.Name == "add");
        Assert.Equal("Adds two integers and returns their sum.", add.Desc);
        Assert.Equal("{'a': {'description': 'The first addend.', 'type': 'integer'}, 'b': {'description': 'The second addend.', 'type': 'integer'}}",
            PythonRepr.Repr(add.Args));
        // DSPy's arg descriptions: the schema's, or a placeholder, marked when required.
        Assert.Equal(new Dictionary<string, string> { ["a"] = "The first addend. (Required)", ["b"] = "The second addend. (Required)" }, add.ArgDesc);
        var split = tools.Single(t => t.Name == "split_words");
        Assert.Equal(new Dictionary<string, string> { ["text"] = "No description provided. (Required)", ["limit"] = "No description provided." }, split.ArgDesc);
        Assert.True(add.IsAsync);
    }

    [Fact]
    public async Task ReAct_and_native_tool_calling_see_the_same_schema()
    {
        var split = await ToolAsync("split_words");

        // ReAct lists tools by their string form; native tool calling sends the function schema.
        Assert.Equal("split_words, whose description is <desc>Returns each word of the text as its own text content.</desc>. "
            + "It takes arguments {'text': {'type': 'string'}, 'limit': {'type': 'integer', 'default': 10}}.", split.ToString());
        Assert.Equal("{'type': 'object', 'properties': {'text': {'type': 'string'}, 'limit': {'type': 'integer', 'default': 10}}, 'required': ['text']}",
            PythonRepr.Repr(split.ParametersSchema()));
        var function = split.AsAIFunction();
        Assert.Equal("split_words", function.Name);
        Assert.Equal("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\",\"default\":10}},\"required\":[\"text\"]}",
            function.JsonSchema.GetRawText());
        // A native tool call (JSON arguments from the model) reaches the server too.
        using var args = System.Text.Json.JsonDocument.Parse("{\"text\": \"x y\"}");
        var result = await function.InvokeAsync(new Microsoft.Extensions.AI.AIFunctionArguments(
            args.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())));
        Assert.Equal(new List<object?> { "x", "y" }, result);
    }

    [Fact]
    public async Task Tool_FromMcpTool_converts_a_listed_tool_as_in_dspy()
    {
        var listed = (await server.Client.ListToolsAsync()).Single(t => t.Name == "add");

        var fromClientTool = Tool.FromMcpTool(listed);
        var fromProtocolTool = Tool.FromMcpTool(server.Client, listed.ProtocolTool);

        Assert.Equal(fromClientTool.ToString(), fromProtocolTool.ToString());
        Assert.Equal("7", await fromClientTool.CallAsync(new Dictionary<string, object?> { ["a"] = 3L, ["b"] = 4L }));
        Assert.Equal("-1", await fromProtocolTool.CallAsync(new Dictionary<string, object?> { ["a"] = 3L, ["b"] = -4L }));
    }

    [Fact]
    public async Task A_call_returns_the_servers_text_content()
    {
        var add = await ToolAsync("add");
        var lookup = await ToolAsync("lookup");
        var split = await ToolAsync("split_words");

        Assert.Equal("42", await add.CallAsync(new Dictionary<string, object?> { ["a"] = 40L, ["b"] = 2L }));
        Assert.Equal("DSPy is a framework for programming, rather than prompting, language models.",
            await lookup.CallAsync(new Dictionary<string, object?> { ["term"] = "DSPy" }));
        // Several text contents become a list of strings.
        Assert.Equal(new List<object?> { "one", "two" }, await split.CallAsync(new Dictionary<string, object?> { ["text"] = "one two three", ["limit"] = 2L }));
    }

    [Fact]
    public async Task An_error_result_raises_McpToolError_with_the_servers_message()
    {
        var lookup = await ToolAsync("lookup");

        var error = await Assert.ThrowsAsync<McpToolError>(() => lookup.CallAsync(new Dictionary<string, object?> { ["term"] = "nope" }));

        Assert.Equal("lookup", error.ToolName);
        Assert.StartsWith("Failed to call a MCP tool: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Unknown term 'nope'. Known terms: dspy, mcp.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_are_checked_against_the_input_schema_before_the_call()
    {
        var add = await ToolAsync("add");

        var bad = await Assert.ThrowsAsync<ArgumentException>(() => add.CallAsync(new Dictionary<string, object?> { ["a"] = "x", ["b"] = 1L }));
        Assert.StartsWith("Arg a is invalid", bad.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => add.CallAsync(new Dictionary<string, object?> { ["c"] = 1L }));
        Assert.Equal("Arg c is not in the tool's args.", unknown.Message);
        Assert.Throws<InvalidOperationException>(() => add.Call(new Dictionary<string, object?> { ["a"] = 1L, ["b"] = 1L }));
    }

    [Fact]
    public async Task ReAct_calls_an_mcp_tool_and_the_real_result_is_the_observation()
    {
        var lm = new ScriptedLM([
            Turn("I should add them.", "add", "{\"a\": 20, \"b\": 22}"),
            Turn("Done.", "finish", "{}"),
            new Dictionary<string, object?> { ["reasoning"] = "The tool said 42.", ["answer"] = "42" },
        ]);
        using var _ = TestSignatures.Use(lm, new ChatAdapter());
        var agent = new ReAct(Signature.Parse("question -> answer"), await McpTools.ListAsync(server.Client));

        var pred = await agent.CallAsync(("question", "What is 20 + 22?"));

        var trajectory = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(pred["trajectory"]);
        Assert.Equal("add", trajectory["tool_name_0"]);
        Assert.Equal("42", trajectory["observation_0"]);
        Assert.Equal("Completed.", trajectory["observation_1"]);
        Assert.Equal("42", pred["answer"]);
        // The second turn's prompt shows the server's answer to the agent.
        Assert.Contains("[[ ## observation_0 ## ]]\n42", lm.Requests[1].Messages[^1].Text, StringComparison.Ordinal);
        // The agent's instructions list the MCP tools with their schemas.
        Assert.Contains("add, whose description is <desc>Adds two integers and returns their sum.</desc>", agent.React.Signature.Instructions,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReAct_shows_an_mcp_error_result_as_an_error_observation_and_continues()
    {
        var lm = new ScriptedLM([
            Turn("Look it up.", "lookup", "{\"term\": \"nope\"}"),
            Turn("Try the known term.", "lookup", "{\"term\": \"mcp\"}"),
            Turn("Done.", "finish", "{}"),
            new Dictionary<string, object?> { ["reasoning"] = "Found it.", ["answer"] = "a protocol" },
        ]);
        using var _ = TestSignatures.Use(lm, new ChatAdapter());
        var agent = new ReAct(Signature.Parse("question -> answer"), await McpTools.ListAsync(server.Client));

        var pred = await agent.CallAsync(("question", "What is nope?"));

        var trajectory = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(pred["trajectory"]);
        var observation = Assert.IsType<string>(trajectory["observation_0"]);
        Assert.StartsWith("Execution error in lookup: \nMcpToolError: Failed to call a MCP tool: ", observation, StringComparison.Ordinal);
        Assert.Contains("Unknown term 'nope'", observation, StringComparison.Ordinal);
        Assert.Equal("The Model Context Protocol connects language model applications to tools and data.", trajectory["observation_1"]);
        Assert.Equal("a protocol", pred["answer"]);
    }

    [Fact]
    public void Result_conversion_follows_dspy()
    {
        CallToolResult Result(bool error, params ContentBlock[] blocks) => new() { Content = blocks, IsError = error };

        Assert.Equal("x", McpTools.ConvertResult("t", Result(false, new TextContentBlock { Text = "x" })));
        Assert.Equal(new List<object?>(), McpTools.ConvertResult("t", Result(false)));
        var image = Assert.IsType<List<object?>>(McpTools.ConvertResult("t", Result(false, new ImageContentBlock { Data = "AAAA"u8.ToArray(), MimeType = "image/png" })));
        var part = Assert.IsType<Dictionary<string, object?>>(Assert.Single(image));
        Assert.Equal("image", part["type"]);
        Assert.Equal("image/png", part["mimeType"]);
        var error = Assert.Throws<McpToolError>(() => McpTools.ConvertResult("t",
            Result(true, new TextContentBlock { Text = "a" }, new TextContentBlock { Text = "b" })));
        Assert.Equal("Failed to call a MCP tool: ['a', 'b']", error.Message);

        var structured = new CallToolResult
        {
            Content = [new TextContentBlock { Text = "{\"sum\": 3}" }],
            StructuredContent = System.Text.Json.JsonDocument.Parse("{\"sum\": 3}").RootElement,
        };
        Assert.Equal("{\"sum\": 3}", McpTools.ConvertResult("t", structured));
        Assert.Equal(new Dictionary<string, object?> { ["sum"] = 3L }, McpTools.ConvertResult("t", structured, McpToolResultMode.Structured));
    }

    [Fact]
    public async Task A_streamed_ReAct_run_reports_the_mcp_tool_call_in_status_messages()
    {
        var client = new ScriptedStreamingChatClient(
            ["[[ ## next_thought ## ]]\nAdd.\n\n[[ ## next_tool_name ## ]]\nadd\n\n[[ ## next_tool_args ## ]]\n{\"a\": 5, \"b\": 6}\n\n[[ ## completed ## ]]"],
            ["[[ ## next_thought ## ]]\nDone.\n\n[[ ## next_tool_name ## ]]\nfinish\n\n[[ ## next_tool_args ## ]]\n{}\n\n[[ ## completed ## ]]"],
            ["[[ ## reasoning ## ]]\nIt is 11.\n\n[[ ## answer ## ]]\n", "11", "\n\n[[ ## completed ## ]]"]);
        using var _ = TestSignatures.Use(new LM("test/stream", client, cache: false), new ChatAdapter());
        var agent = new ReAct(Signature.Parse("question -> answer"), await McpTools.ListAsync(server.Client));

        var items = new List<object>();
        await foreach (var item in Dspy.Streaming.Streamify(agent, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "5 + 6?")))
        {
            items.Add(item);
        }

        Assert.Equal(new StatusMessage("Calling tool add..."), items[0]);
        Assert.Equal(new StatusMessage("Tool calling finished! Querying the LLM with tool calling results..."), items[1]);
        Assert.Equal([new StreamResponse("extract.predict", "answer", "11", false), new StreamResponse("extract.predict", "answer", "", true)], items[2..4]);
        var prediction = Assert.IsType<Prediction>(Assert.Single(items[4..]));
        Assert.Equal("11", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(prediction["trajectory"])["observation_0"]);
    }
}
