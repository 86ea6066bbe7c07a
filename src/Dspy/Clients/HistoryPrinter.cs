using System.Globalization;

namespace Dspy;

/// <summary>
/// DSPy's <c>pretty_print_history</c> layout: for each call a blue timestamp, then each message as
/// "<c>System message:</c>" / "<c>User message:</c>" / "<c>Assistant message:</c>" in red followed by its text, then
/// "<c>Response:</c>" and the first output in green, and a note when there were other completions. Line breaks match
/// Python's <c>print</c> of DSPy's colour helpers (each header and text is followed by a blank line). ANSI colours are
/// written only to an interactive console.
/// </summary>
public static class HistoryPrinter
{
    /// <summary>Prints the last <paramref name="n"/> entries to <paramref name="writer"/> (default: the console).</summary>
    public static void Print(IReadOnlyList<LMHistoryEntry> history, int n = 1, TextWriter? writer = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var toConsole = writer is null;
        writer ??= Console.Out;
        var color = toConsole && !Console.IsOutputRedirected;
        string Red(string s) => color ? "\u001b[31m" + s + "\u001b[0m" : s;
        string Green(string s) => color ? "\u001b[32m" + s + "\u001b[0m" : s;
        string Blue(string s) => color ? "\u001b[34m" + s + "\u001b[0m" : s;

        foreach (var entry in history.Skip(Math.Max(0, history.Count - n)))
        {
            writer.Write("\n\n\n\n");
            writer.Write(Blue($"[{entry.TimestampText}]") + "\n\n");
            var messages = entry.Messages.Count > 0
                ? entry.Messages
                : [new Dictionary<string, object?> { ["role"] = "user", ["content"] = entry.Prompt ?? "" }];
            foreach (var m in messages.OfType<Dictionary<string, object?>>())
            {
                var role = m.GetValueOrDefault("role") as string ?? "user";
                writer.Write(Red(Capitalize(role) + " message:") + "\n\n");
                switch (m.GetValueOrDefault("content"))
                {
                    case string s:
                        writer.Write(s.Trim() + "\n");
                        break;
                    case List<object?> parts:
                        foreach (var p in parts.OfType<Dictionary<string, object?>>()) WritePart(writer, p, Blue);
                        break;
                }
                writer.Write("\n\n");
            }
            var first = entry.Outputs.Count > 0 ? entry.Outputs[0] : "";
            if (first is Dictionary<string, object?> d)
            {
                if (d.GetValueOrDefault("text") is string { Length: > 0 } text)
                {
                    writer.Write(Red("Response:") + "\n\n");
                    writer.Write(Green(text.Trim()) + "\n\n");
                }
                if (d.GetValueOrDefault("tool_calls") is List<object?> { Count: > 0 } calls)
                {
                    writer.Write(Red("Tool calls:") + "\n\n");
                    foreach (var call in calls.OfType<Dictionary<string, object?>>())
                    {
                        var fn = call.GetValueOrDefault("function") as Dictionary<string, object?>;
                        writer.Write(Green($"{fn?.GetValueOrDefault("name")}: {fn?.GetValueOrDefault("arguments")}") + "\n\n");
                    }
                }
            }
            else
            {
                writer.Write(Red("Response:") + "\n\n");
                writer.Write(Green((first as string ?? "").Trim()) + "\n\n");
            }
            if (entry.Outputs.Count > 1)
                writer.Write(Red(string.Create(CultureInfo.InvariantCulture, $" \t (and {entry.Outputs.Count - 1} other completions)")) + "\n");
        }
        writer.Write("\n\n\n\n");
    }

    private static void WritePart(TextWriter writer, Dictionary<string, object?> part, Func<string, string> blue)
    {
        switch (part.GetValueOrDefault("type") as string)
        {
            case "text":
                writer.Write(((part.GetValueOrDefault("text") as string) ?? "").Trim() + "\n");
                break;
            case "image_url":
                var url = (part.GetValueOrDefault("image_url") as Dictionary<string, object?>)?.GetValueOrDefault("url") as string ?? "";
                var marker = url.IndexOf("base64,", StringComparison.Ordinal);
                var image = marker >= 0
                    ? $"<{url[..(marker + 7)]}<IMAGE BASE 64 ENCODED({(url.Length - marker - 7).ToString(CultureInfo.InvariantCulture)})>"
                    : $"<image_url: {url}>";
                writer.Write(blue(image.Trim()) + "\n\n");
                break;
        }
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
