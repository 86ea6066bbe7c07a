using Microsoft.Extensions.AI;

namespace Dspy.Tests.Clients;

public sealed class ChatOptionsMapperTests
{
    [Fact]
    public void Sampling_kwargs_map_to_typed_options()
    {
        var o = ChatOptionsMapper.ToChatOptions(new Dictionary<string, object?>
        {
            ["temperature"] = 0.7,
            ["max_tokens"] = 256L,
            ["top_p"] = 0.9,
            ["stop"] = new List<object?> { "\n\n", "END" },
            ["seed"] = 42L,
            ["presence_penalty"] = 0.1,
            ["parallel_tool_calls"] = false,
            ["reasoning_effort"] = "low",
        }, "gpt-4o-mini", passRolloutId: false);
        Assert.Equal(0.7f, o.Temperature);
        Assert.Equal(256, o.MaxOutputTokens);
        Assert.Equal(0.9f, o.TopP);
        Assert.Equal(["\n\n", "END"], o.StopSequences!);
        Assert.Equal(42L, o.Seed);
        Assert.Equal(0.1f, o.PresencePenalty);
        Assert.False(o.AllowMultipleToolCalls);
        Assert.Equal(ReasoningEffort.Low, o.Reasoning!.Effort);
        Assert.Equal("gpt-4o-mini", o.ModelId);
        Assert.Null(o.AdditionalProperties);
    }

    [Fact]
    public void Single_stop_string_and_null_values_are_handled()
    {
        var o = ChatOptionsMapper.ToChatOptions(new Dictionary<string, object?> { ["stop"] = "###", ["temperature"] = null, ["max_tokens"] = null }, null, false);
        Assert.Equal(["###"], o.StopSequences!);
        Assert.Null(o.Temperature);
        Assert.Null(o.MaxOutputTokens);
        Assert.Null(o.ModelId);
    }

    [Fact]
    public void Response_format_json_object_and_json_schema()
    {
        var json = ChatOptionsMapper.ToChatOptions(new Dictionary<string, object?>
        {
            ["response_format"] = new Dictionary<string, object?> { ["type"] = "json_object" },
        }, null, false);
        Assert.Same(ChatResponseFormat.Json, json.ResponseFormat);

        var schema = new Dictionary<string, object?>
        {
            ["type"] = "object",
            ["properties"] = new Dictionary<string, object?> { ["answer"] = new Dictionary<string, object?> { ["type"] = "string" } },
            ["required"] = new List<object?> { "answer" },
            ["additionalProperties"] = false,
        };
        var structured = ChatOptionsMapper.ToChatOptions(new Dictionary<string, object?>
        {
            ["response_format"] = new Dictionary<string, object?>
            {
                ["type"] = "json_schema",
                ["json_schema"] = new Dictionary<string, object?> { ["name"] = "DSPyProgramOutputs", ["schema"] = schema, ["strict"] = true },
            },
        }, null, false);
        var format = Assert.IsType<ChatResponseFormatJson>(structured.ResponseFormat);
        Assert.Equal("DSPyProgramOutputs", format.SchemaName);
        Assert.Equal("string", format.Schema!.Value.GetProperty("properties").GetProperty("answer").GetProperty("type").GetString());
        Assert.Equal(true, structured.AdditionalProperties!["strict"]);
    }

    [Fact]
    public void Tools_become_function_declarations_and_tool_choice_a_tool_mode()
    {
        var tool = new Dictionary<string, object?>
        {
            ["type"] = "function",
            ["function"] = new Dictionary<string, object?>
            {
                ["name"] = "search",
                ["description"] = "Search the web.",
                ["parameters"] = new Dictionary<string, object?>
                {
                    ["type"] = "object",
                    ["properties"] = new Dictionary<string, object?> { ["query"] = new Dictionary<string, object?> { ["type"] = "string" } },
                },
            },
        };
        var o = ChatOptionsMapper.ToChatOptions(new Dictionary<string, object?>
        {
            ["tools"] = new List<object?> { tool },
            ["tool_choice"] = new Dictionary<string, object?> { ["type"] = "function", ["function"] = new Dictionary<string, object?> { ["name"] = "search" } },
        }, null, false);
        var declaration = Assert.IsAssignableFrom<AIFunctionDeclaration>(Assert.Single(o.Tools!));
        Assert.Equal("search", declaration.Name);
        Assert.Equal("Search the web.", declaration.Description);
        Assert.Equal("string", declaration.JsonSchema.GetProperty("properties").GetProperty("query").GetProperty("type").GetString());
        Assert.Equal("search", Assert.IsType<RequiredChatToolMode>(o.ToolMode).RequiredFunctionName);
        Assert.IsType<AutoChatToolMode>(ChatOptionsMapper.ToChatOptions(new Dictionary<string, object?> { ["tool_choice"] = "auto" }, null, false).ToolMode);
    }

    [Fact]
    public void Unknown_kwargs_go_to_additional_properties_but_dspy_side_keys_never_do()
    {
        var kwargs = new Dictionary<string, object?>
        {
            ["logprobs"] = true,
            ["user"] = "u1",
            ["rollout_id"] = 7L,
            ["cache"] = false,
            ["n"] = 2L,
            ["api_key"] = "sk",
            ["api_base"] = "http://x",
            ["base_url"] = "http://y",
            ["dspy_fallback_from"] = "ChatAdapter",
        };
        var o = ChatOptionsMapper.ToChatOptions(kwargs, null, passRolloutId: false);
        Assert.Equal(["logprobs", "user"], o.AdditionalProperties!.Keys.Order());
        var sim = ChatOptionsMapper.ToChatOptions(kwargs, null, passRolloutId: true);
        Assert.Equal(7L, sim.AdditionalProperties!["rollout_id"]);
    }

    [Fact]
    public void Bad_values_raise_configuration_errors()
    {
        Assert.Throws<LMConfigurationError>(() => ChatOptionsMapper.ToChatOptions(new Dictionary<string, object?> { ["temperature"] = "hot" }, null, false));
        Assert.Throws<LMConfigurationError>(() => ChatOptionsMapper.ToChatOptions(
            new Dictionary<string, object?> { ["response_format"] = new Dictionary<string, object?> { ["type"] = "yaml" } }, null, false));
    }
}
