using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy.Cli;

/// <summary>
/// Ollama's chat API wire format (<c>POST /api/chat</c>) for the simulated LM server. A streaming request gets the whole
/// answer as a single final NDJSON line, which streaming clients accept.
/// </summary>
internal static class OllamaChatWire
{
    public static OpenAIChatRequest ParseRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("The request body must be a JSON object.");
        var model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "sim" : "sim";
        if (!root.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array)
            throw new FormatException("'messages' must be an array.");
        var messages = new List<ChatMessage>();
        foreach (var msg in msgs.EnumerateArray())
        {
            var role = msg.TryGetProperty("role", out var r) ? r.GetString() : "user";
            var chatRole = role switch { "system" => ChatRole.System, "assistant" => ChatRole.Assistant, "tool" => ChatRole.Tool, _ => ChatRole.User };
            var parts = new List<AIContent>();
            if (msg.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String) parts.Add(new TextContent(c.GetString()));
            if (msg.TryGetProperty("images", out var images) && images.ValueKind == JsonValueKind.Array)
            {
                foreach (var img in images.EnumerateArray()) parts.Add(new DataContent(Convert.FromBase64String(img.GetString() ?? ""), "image/png"));
            }
            messages.Add(new ChatMessage(chatRole, parts));
        }
        var options = new ChatOptions { ModelId = model };
        long maxTokens = 0;
        if (root.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in o.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Null) continue;
                switch (p.Name)
                {
                    case "temperature": options.Temperature = p.Value.GetSingle(); break;
                    case "top_p": options.TopP = p.Value.GetSingle(); break;
                    case "top_k": options.TopK = p.Value.GetInt32(); break;
                    case "seed": options.Seed = p.Value.GetInt64(); break;
                    case "num_predict":
                        maxTokens = Math.Max(0, p.Value.GetInt64());
                        options.MaxOutputTokens = p.Value.GetInt32();
                        break;
                    case "stop": options.StopSequences = [.. p.Value.EnumerateArray().Select(s => s.GetString() ?? "")]; break;
                }
            }
        }
        if (root.TryGetProperty("format", out var format))
        {
            options.ResponseFormat = format.ValueKind switch
            {
                JsonValueKind.String when format.GetString() == "json" => ChatResponseFormat.Json,
                JsonValueKind.Object => ChatResponseFormat.ForJsonSchema(format.Clone()),
                _ => null,
            };
        }
        var chars = messages.Sum(x => x.Text.Length);
        return new OpenAIChatRequest(model, messages, options, 1, OpenAIChatWire.EstimateTokens(chars) + maxTokens);
    }

    public static void WriteResponse(Utf8JsonWriter w, DateTimeOffset created, string model, OpenAIChatWire.Choice choice, long promptTokens,
        long completionTokens)
    {
        w.WriteStartObject();
        w.WriteString("model", model);
        w.WriteString("created_at", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", choice.Text ?? "");
        w.WriteEndObject();
        w.WriteBoolean("done", true);
        w.WriteString("done_reason", choice.FinishReason == "length" ? "length" : "stop");
        w.WriteNumber("prompt_eval_count", promptTokens);
        w.WriteNumber("eval_count", completionTokens);
        w.WriteEndObject();
    }

    public static string ErrorBody(string message)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
