using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy.Cli;

/// <summary>A parsed OpenAI chat completion request.</summary>
internal sealed record OpenAIChatRequest(string Model, List<ChatMessage> Messages, ChatOptions Options, int N, long EstimatedTokens);

/// <summary>
/// The OpenAI chat-completions wire format, both ways: requests into Microsoft.Extensions.AI messages and options (content
/// parts, tool calls, response formats, tools, and any unknown top-level field as an additional property), and responses
/// back into OpenAI JSON.
/// </summary>
internal static class OpenAIChatWire
{
    private static readonly HashSet<string> s_known = new(StringComparer.Ordinal)
    {
        "model", "messages", "n", "stream", "stream_options", "temperature", "top_p", "max_tokens", "max_completion_tokens", "seed", "stop",
        "response_format", "tools", "tool_choice", "parallel_tool_calls", "frequency_penalty", "presence_penalty", "user",
    };

    public static OpenAIChatRequest ParseRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("The request body must be a JSON object.");
        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "sim";
        if (!root.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array)
            throw new FormatException("'messages' must be an array.");
        var messages = msgs.EnumerateArray().Select(ParseMessage).ToList();
        var options = new ChatOptions { ModelId = model };
        long maxTokens = 0;
        foreach (var p in root.EnumerateObject())
        {
            var v = p.Value;
            if (v.ValueKind == JsonValueKind.Null) continue;
            switch (p.Name)
            {
                case "temperature": options.Temperature = v.GetSingle(); break;
                case "top_p": options.TopP = v.GetSingle(); break;
                case "frequency_penalty": options.FrequencyPenalty = v.GetSingle(); break;
                case "presence_penalty": options.PresencePenalty = v.GetSingle(); break;
                case "max_tokens" or "max_completion_tokens":
                    options.MaxOutputTokens = v.GetInt32();
                    maxTokens = v.GetInt32();
                    break;
                case "seed": options.Seed = v.GetInt64(); break;
                case "stop":
                    options.StopSequences = v.ValueKind == JsonValueKind.String ? [v.GetString()!] : [.. v.EnumerateArray().Select(s => s.GetString() ?? "")];
                    break;
                case "response_format": options.ResponseFormat = ParseResponseFormat(v, options); break;
                case "tools":
                    options.Tools = [.. v.EnumerateArray().Select(ParseTool)];
                    break;
                case "tool_choice": options.ToolMode = ParseToolMode(v); break;
                case "parallel_tool_calls": options.AllowMultipleToolCalls = v.ValueKind == JsonValueKind.True; break;
                default:
                    if (!s_known.Contains(p.Name)) (options.AdditionalProperties ??= [])[p.Name] = Dspy.ValueModel.FromJson(v);
                    break;
            }
        }
        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            throw new FormatException("Streaming is not supported by the simulated LM server; send \"stream\": false.");
        var n = root.TryGetProperty("n", out var nEl) && nEl.ValueKind == JsonValueKind.Number ? nEl.GetInt32() : 1;
        if (n < 1) throw new FormatException("'n' must be at least 1.");
        var chars = messages.Sum(x => x.Text.Length);
        return new OpenAIChatRequest(model, messages, options, n, EstimateTokens(chars) + maxTokens);
    }

    /// <summary>About four characters per token, the usual rule of thumb for English text.</summary>
    public static long EstimateTokens(long chars) => (chars + 3) / 4;

    private static ChatMessage ParseMessage(JsonElement m)
    {
        var role = m.TryGetProperty("role", out var r) ? r.GetString() ?? "user" : "user";
        var chatRole = role switch
        {
            "system" or "developer" => ChatRole.System,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            _ => ChatRole.User,
        };
        var contents = new List<AIContent>();
        if (m.TryGetProperty("content", out var c))
        {
            if (c.ValueKind == JsonValueKind.String)
            {
                if (role == "tool")
                    contents.Add(new FunctionResultContent(m.TryGetProperty("tool_call_id", out var id) ? id.GetString() ?? "" : "", c.GetString()));
                else
                    contents.Add(new TextContent(c.GetString()));
            }
            else if (c.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in c.EnumerateArray()) contents.Add(ParsePart(part));
            }
        }
        if (m.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                var fn = call.GetProperty("function");
                var args = fn.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                var parsed = string.IsNullOrEmpty(args) ? null : Dspy.ValueModel.ParseJson(args) as Dictionary<string, object?>;
                contents.Add(new FunctionCallContent(call.TryGetProperty("id", out var id) ? id.GetString() ?? "" : "",
                    fn.GetProperty("name").GetString() ?? "", parsed));
            }
        }
        return new ChatMessage(chatRole, contents);
    }

    private static AIContent ParsePart(JsonElement part)
    {
        var type = part.TryGetProperty("type", out var t) ? t.GetString() : "text";
        switch (type)
        {
            case "text":
                return new TextContent(part.TryGetProperty("text", out var text) ? text.GetString() : "");
            case "image_url":
                var url = part.GetProperty("image_url").GetProperty("url").GetString() ?? "";
                return url.StartsWith("data:", StringComparison.Ordinal)
                    ? new DataContent(url)
                    : new UriContent(new Uri(url), "image/*");
            default:
                return new TextContent(part.GetRawText());
        }
    }

    private static ChatResponseFormat ParseResponseFormat(JsonElement v, ChatOptions options)
    {
        var type = v.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema":
                var js = v.GetProperty("json_schema");
                if (js.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    (options.AdditionalProperties ??= [])["strict"] = strict.GetBoolean();
                return ChatResponseFormat.ForJsonSchema(js.GetProperty("schema").Clone(),
                    js.TryGetProperty("name", out var n) ? n.GetString() : null,
                    js.TryGetProperty("description", out var d) ? d.GetString() : null);
            default:
                return ChatResponseFormat.Text;
        }
    }

    private static AITool ParseTool(JsonElement tool)
    {
        var fn = tool.TryGetProperty("function", out var f) ? f : tool;
        var parameters = fn.TryGetProperty("parameters", out var p) ? p.Clone() : JsonDocument.Parse("{\"type\":\"object\",\"properties\":{}}").RootElement;
        return AIFunctionFactory.CreateDeclaration(fn.GetProperty("name").GetString() ?? "",
            fn.TryGetProperty("description", out var d) ? d.GetString() : null, parameters);
    }

    private static ChatToolMode? ParseToolMode(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() switch
        {
            "none" => ChatToolMode.None,
            "required" => ChatToolMode.RequireAny,
            _ => ChatToolMode.Auto,
        },
        JsonValueKind.Object when v.TryGetProperty("function", out var fn) => ChatToolMode.RequireSpecific(fn.GetProperty("name").GetString() ?? ""),
        _ => null,
    };

    /// <summary>One generated choice.</summary>
    public sealed record Choice(string? Text, IReadOnlyList<FunctionCallContent> ToolCalls, string FinishReason);

    public static void WriteResponse(Utf8JsonWriter w, string id, DateTimeOffset created, string model, IReadOnlyList<Choice> choices,
        long promptTokens, long completionTokens)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", created.ToUnixTimeSeconds());
        w.WriteString("model", model);
        w.WriteStartArray("choices");
        for (var i = 0; i < choices.Count; i++)
        {
            var c = choices[i];
            w.WriteStartObject();
            w.WriteNumber("index", i);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            if (c.Text is null) w.WriteNull("content");
            else w.WriteString("content", c.Text);
            if (c.ToolCalls.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                foreach (var call in c.ToolCalls)
                {
                    w.WriteStartObject();
                    w.WriteString("id", call.CallId);
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", call.Name);
                    w.WriteString("arguments", Dspy.PythonJson.Dumps(call.Arguments?.ToDictionary(kv => kv.Key, kv => kv.Value) ?? new Dictionary<string, object?>()));
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteString("finish_reason", c.FinishReason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", promptTokens);
        w.WriteNumber("completion_tokens", completionTokens);
        w.WriteNumber("total_tokens", promptTokens + completionTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static string ErrorBody(string message, string type, string? code)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteNull("param");
            if (code is null) w.WriteNull("code");
            else w.WriteString("code", code);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    public static string FinishReason(ChatFinishReason? reason, bool hasToolCalls)
        => reason?.Value ?? (hasToolCalls ? "tool_calls" : "stop");

    public static string Seconds(TimeSpan t) => ((long)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
