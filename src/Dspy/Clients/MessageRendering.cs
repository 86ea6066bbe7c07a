using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// Renders Microsoft.Extensions.AI chat messages in DSPy's (OpenAI's) message shape, as value-model dictionaries:
/// <c>{"role": "user", "content": "..."}</c> when a message is plain text, or a list of content parts
/// (<c>{"type": "text", "text"}</c>, <c>{"type": "image_url", "image_url": {"url"}}</c>, tool calls and results) otherwise.
/// This canonical rendering is what the cache key hashes and what LM history records.
/// </summary>
public static class MessageRendering
{
    /// <summary>Renders every message.</summary>
    public static List<object?> Render(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return [.. messages.Select(m => (object?)Render(m))];
    }

    /// <summary>Renders one message.</summary>
    public static Dictionary<string, object?> Render(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var d = new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = message.Role.Value };
        var contents = message.Contents;
        if (contents.All(c => c is TextContent))
        {
            d["content"] = string.Concat(contents.Cast<TextContent>().Select(t => t.Text));
        }
        else
        {
            d["content"] = contents.Select(RenderPart).ToList();
        }
        return d;
    }

    private static object? RenderPart(AIContent content) => content switch
    {
        TextContent t => Part("text", ("text", t.Text)),
        UriContent u => Part("image_url", ("image_url", new Dictionary<string, object?>(StringComparer.Ordinal) { ["url"] = u.Uri.ToString() })),
        DataContent dc => Part("image_url", ("image_url", new Dictionary<string, object?>(StringComparer.Ordinal) { ["url"] = dc.Uri })),
        FunctionCallContent fc => Part("tool_call", ("id", fc.CallId), ("name", fc.Name),
            ("arguments", fc.Arguments?.ToDictionary(kv => kv.Key, kv => ValueModel.FromClr(kv.Value), StringComparer.Ordinal))),
        FunctionResultContent fr => Part("tool_result", ("call_id", fr.CallId), ("result", ValueModel.FromClr(fr.Result))),
        TextReasoningContent r => Part("reasoning", ("text", r.Text)),
        _ => Part(content.GetType().Name),
    };

    private static Dictionary<string, object?> Part(string type, params (string Key, object? Value)[] fields)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = type };
        foreach (var (k, v) in fields) d[k] = v;
        return d;
    }
}
