using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// Builds Microsoft.Extensions.AI chat messages from adapter text. User text holding DSPy custom-type markers is split
/// into content parts in order (text, image, text ...), like DSPy's OpenAI content-part arrays.
/// </summary>
public static partial class ChatMessages
{
    [GeneratedRegex("<<CUSTOM-TYPE-START-IDENTIFIER>>(.*?)<<CUSTOM-TYPE-END-IDENTIFIER>>", RegexOptions.Singleline)]
    private static partial Regex Marker();

    /// <summary>A message with the given role and text; user messages with custom-type markers become multi-part.</summary>
    public static ChatMessage Create(ChatRole role, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (role != ChatRole.User || !content.Contains(IDspyType.CustomTypeStart, StringComparison.Ordinal)) return new ChatMessage(role, content);
        return new ChatMessage(role, SplitCustomTypes(content));
    }

    /// <summary>Splits text around custom-type markers into content parts.</summary>
    public static List<AIContent> SplitCustomTypes(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var parts = new List<AIContent>();
        var last = 0;
        foreach (Match m in Marker().Matches(content))
        {
            if (m.Index > last) parts.Add(new TextContent(content[last..m.Index]));
            var payload = PythonText.Strip(m.Groups[1].Value);
            if (ParsePayload(payload) is List<object?> blocks)
            {
                parts.AddRange(blocks.Select(b => b is Dictionary<string, object?> d ? ToContent(d) : new TextContent(PythonRepr.Str(b))));
            }
            else
            {
                parts.Add(new TextContent(payload));
            }
            last = m.Index + m.Length;
        }
        if (last < content.Length) parts.Add(new TextContent(content[last..]));
        return parts;
    }

    private static object? ParsePayload(string payload)
    {
        if (JsonRepair.TryParseStrict(payload, out var v)) return v;
        // The payload is JSON-encoded twice when the marker string sat inside a larger JSON value (e.g. list[Image]).
        if (JsonRepair.TryParseStrict("\"" + payload + "\"", out var inner) && inner is string s && JsonRepair.TryParseStrict(s, out var twice)) return twice;
        return JsonRepair.Loads(payload);
    }

    /// <summary>Converts one OpenAI-style content part to an M.E.AI content.</summary>
    public static AIContent ToContent(Dictionary<string, object?> block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var type = block.GetValueOrDefault("type") as string;
        switch (type)
        {
            case "text":
                return new TextContent(block.GetValueOrDefault("text") as string ?? "");
            case "image_url":
            {
                var imageUrl = block.GetValueOrDefault("image_url");
                var url = imageUrl is Dictionary<string, object?> d ? d.GetValueOrDefault("url") as string : imageUrl as string;
                url ??= "";
                if (url.StartsWith("data:", StringComparison.Ordinal)) return new DataContent(url);
                var media = Uri.TryCreate(url, UriKind.Absolute, out var u) ? Image.GuessMimeType(u.AbsolutePath) ?? "image/*" : "image/*";
                return new UriContent(url, media);
            }
            case "input_audio":
            {
                var audio = block.GetValueOrDefault("input_audio") as Dictionary<string, object?> ?? [];
                var data = audio.GetValueOrDefault("data") as string ?? "";
                var format = audio.GetValueOrDefault("format") as string ?? "wav";
                return new DataContent(Convert.FromBase64String(data), "audio/" + format);
            }
            case "file":
            {
                var file = block.GetValueOrDefault("file") as Dictionary<string, object?> ?? [];
                if (file.GetValueOrDefault("file_data") is string fileData && fileData.StartsWith("data:", StringComparison.Ordinal))
                {
                    return new DataContent(fileData) { Name = file.GetValueOrDefault("filename") as string };
                }
                return new HostedFileContent(file.GetValueOrDefault("file_id") as string ?? "");
            }
            default:
                return new TextContent(PythonJson.Dumps(block));
        }
    }
}
