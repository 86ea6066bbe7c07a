using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// Structured values (dicts, e.g. ReAct's <c>next_tool_args</c>) learned from the most similar demo: a string in the demo's
/// value that was copied from one of the demo's inputs is replaced by the same part of the current input, found between
/// the words that surrounded it in the demo (<c>What is 12 * 7?</c> -> <c>{"expression": "12 * 7"}</c> teaches
/// <c>What is 48 * 12 - 30?</c> -> <c>{"expression": "48 * 12 - 30"}</c>). Strings that cannot be located stay as the demo
/// had them. The copying pattern is learned, not the demo's value. See docs/sim.md.
/// </summary>
internal static partial class SimArguments
{
    public static (object? Value, string Reason)? Adapt(SimPrompt prompt, SimField field, SimDemo demo, double similarity)
    {
        if (field.Kind != SimValueKind.Object || !demo.Outputs.TryGetValue(field.Name, out var text)) return null;
        if (SimValues.FromText(field, text) is not Dictionary<string, object?> values) return null;
        var adapted = new Dictionary<string, object?>(StringComparer.Ordinal);
        var changed = 0;
        foreach (var (key, value) in values)
        {
            if (value is string s && Transfer(prompt, demo, s) is { } moved)
            {
                adapted[key] = moved;
                if (moved != s) changed++;
            }
            else
            {
                adapted[key] = value;
            }
        }
        var sim = similarity.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var reason = changed > 0
            ? $"I filled in {field.Name} the way the most similar example (similarity {sim}) did, with the matching part of this input."
            : $"The most similar example (similarity {sim}) had {field.Name} {SimValues.ToPromptText(adapted)}, so I answer the same.";
        return (adapted, reason);
    }

    /// <summary>The part of the current input that plays the role <paramref name="value"/> played in the demo's input.</summary>
    private static string? Transfer(SimPrompt prompt, SimDemo demo, string value)
    {
        if (value.Trim().Length == 0) return null;
        foreach (var input in prompt.InputFields)
        {
            if (!demo.Inputs.TryGetValue(input.Name, out var demoText) || !prompt.Inputs.TryGetValue(input.Name, out var current)) continue;
            if (demoText.Trim() == value.Trim()) return current.Trim();
            var at = demoText.IndexOf(value, StringComparison.Ordinal);
            if (at < 0) continue;
            // Anchors: up to two words before the value and the next word or punctuation after it (or the end).
            var before = LastWords(demoText[..at], 2);
            var after = FirstToken(demoText[(at + value.Length)..]);
            var start = 0;
            if (before.Length > 0)
            {
                var b = current.IndexOf(before, StringComparison.OrdinalIgnoreCase);
                if (b < 0) continue;
                start = b + before.Length;
            }
            var end = current.Length;
            if (after.Length > 0)
            {
                var e = current.LastIndexOf(after, StringComparison.OrdinalIgnoreCase);
                if (e < start) continue;
                end = e;
            }
            var span = current[start..end].Trim();
            if (span.Length > 0) return span;
        }
        return null;
    }

    private static string LastWords(string text, int count)
    {
        var matches = WordRegex().Matches(text);
        if (matches.Count == 0) return "";
        var first = matches[Math.Max(0, matches.Count - count)];
        return text[first.Index..].TrimEnd();
    }

    private static string FirstToken(string text)
    {
        var m = TokenRegex().Match(text);
        return m.Success ? m.Value : "";
    }

    [GeneratedRegex(@"\S+")]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"[^\s\w]|\w+")]
    private static partial Regex TokenRegex();
}
