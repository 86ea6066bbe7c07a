using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Dspy.Cli;

/// <summary>
/// Renders chat messages as OpenAI-style <c>{"role": ..., "content": ...}</c> objects: content is a string, or a list of
/// content parts when the message carries images.
/// </summary>
internal static class MessageJson
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Render(IEnumerable<ChatMessage> messages)
    {
        var array = new JsonArray();
        foreach (var m in messages)
        {
            array.Add(new JsonObject { ["role"] = m.Role.Value, ["content"] = Content(m) });
        }
        return array.ToJsonString(s_options);
    }

    private static JsonNode? Content(ChatMessage message)
    {
        if (message.Contents.All(c => c is TextContent) && message.Contents.Count <= 1)
        {
            return JsonValue.Create(message.Text);
        }
        var parts = new JsonArray();
        foreach (var c in message.Contents)
        {
            parts.Add(c switch
            {
                TextContent t => new JsonObject { ["type"] = "text", ["text"] = t.Text },
                UriContent u => new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = u.Uri.ToString() } },
                DataContent d => new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = d.Uri } },
                _ => new JsonObject { ["type"] = "text", ["text"] = c.ToString() },
            });
        }
        return parts;
    }
}
