using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy.Cli;

/// <summary>
/// Anthropic's Messages API wire format (<c>POST /v1/messages</c>) for the simulated LM server: requests into
/// Microsoft.Extensions.AI messages and options, one response back (the API has no <c>n</c>).
/// </summary>
internal static class AnthropicMessagesWire
{
    public static OpenAIChatRequest ParseRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("The request body must be a JSON object.");
        var model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "sim" : "sim";
        var messages = new List<ChatMessage>();
        if (root.TryGetProperty("system", out var system))
        {
            var text = system.ValueKind == JsonValueKind.String
                ? system.GetString()
                : string.Concat(system.EnumerateArray().Select(b => b.TryGetProperty("text", out var t) ? t.GetString() : ""));
            messages.Add(new ChatMessage(ChatRole.System, text));
        }
        if (!root.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array)
            throw new FormatException("'messages' must be an array.");
        foreach (var msg in msgs.EnumerateArray())
        {
            var role = msg.GetProperty("role").GetString() == "assistant" ? ChatRole.Assistant : ChatRole.User;
            var content = msg.GetProperty("content");
            var parts = new List<AIContent>();
            if (content.ValueKind == JsonValueKind.String) parts.Add(new TextContent(content.GetString()));
            else foreach (var block in content.EnumerateArray()) parts.Add(ParseBlock(block));
            messages.Add(new ChatMessage(role, parts));
        }
        var options = new ChatOptions { ModelId = model };
        long maxTokens = 0;
        foreach (var p in root.EnumerateObject())
        {
            var v = p.Value;
            if (v.ValueKind == JsonValueKind.Null) continue;
            switch (p.Name)
            {
                case "max_tokens":
                    maxTokens = v.GetInt64();
                    options.MaxOutputTokens = v.GetInt32();
                    break;
                case "temperature": options.Temperature = v.GetSingle(); break;
                case "top_p": options.TopP = v.GetSingle(); break;
                case "top_k": options.TopK = v.GetInt32(); break;
                case "stop_sequences": options.StopSequences = [.. v.EnumerateArray().Select(s => s.GetString() ?? "")]; break;
                case "tools":
                    options.Tools = [.. v.EnumerateArray().Select(t => (AITool)AIFunctionFactory.CreateDeclaration(t.GetProperty("name").GetString() ?? "",
                        t.TryGetProperty("description", out var d) ? d.GetString() : null, t.GetProperty("input_schema").Clone()))];
                    break;
            }
        }
        var chars = messages.Sum(x => x.Text.Length);
        return new OpenAIChatRequest(model, messages, options, 1, OpenAIChatWire.EstimateTokens(chars) + maxTokens);
    }

    private static AIContent ParseBlock(JsonElement block) => block.GetProperty("type").GetString() switch
    {
        "text" => new TextContent(block.GetProperty("text").GetString()),
        "tool_use" => new FunctionCallContent(block.GetProperty("id").GetString() ?? "", block.GetProperty("name").GetString() ?? "",
            Dspy.ValueModel.FromJson(block.GetProperty("input")) as Dictionary<string, object?>),
        "tool_result" => new FunctionResultContent(block.GetProperty("tool_use_id").GetString() ?? "",
            block.TryGetProperty("content", out var c) ? Dspy.ValueModel.FromJson(c) : null),
        "image" when block.GetProperty("source") is var src && src.GetProperty("type").GetString() == "base64"
            => new DataContent(Convert.FromBase64String(src.GetProperty("data").GetString() ?? ""), src.GetProperty("media_type").GetString() ?? "image/png"),
        "image" => new UriContent(new Uri(block.GetProperty("source").GetProperty("url").GetString() ?? ""), "image/*"),
        _ => new TextContent(block.GetRawText()),
    };

    public static void WriteResponse(Utf8JsonWriter w, string id, string model, OpenAIChatWire.Choice choice, long inputTokens, long outputTokens)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", model);
        w.WriteStartArray("content");
        if (!string.IsNullOrEmpty(choice.Text))
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", choice.Text);
            w.WriteEndObject();
        }
        foreach (var call in choice.ToolCalls)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool_use");
            w.WriteString("id", call.CallId);
            w.WriteString("name", call.Name);
            w.WritePropertyName("input");
            w.WriteRawValue(Dspy.PythonJson.Dumps(call.Arguments?.ToDictionary(kv => kv.Key, kv => kv.Value) ?? new Dictionary<string, object?>()));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("stop_reason", choice.FinishReason switch { "length" => "max_tokens", "tool_calls" => "tool_use", _ => "end_turn" });
        w.WriteNull("stop_sequence");
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", inputTokens);
        w.WriteNumber("output_tokens", outputTokens);
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string ErrorBody(int status, string message)
    {
        var type = status switch
        {
            400 => "invalid_request_error",
            401 => "authentication_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            504 => "timeout_error",
            529 => "overloaded_error",
            _ => "api_error",
        };
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteStartObject("error");
            w.WriteString("type", type);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
