using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>Reads field values out of one user or assistant message in each adapter's format.</summary>
internal static partial class SimMessageReader
{
    [GeneratedRegex(@"^\[\[ ## (\w+) ## \]\]")]
    private static partial Regex MarkerRegex();

    [GeneratedRegex(@"<(\w+)>(.*?)</\1>", RegexOptions.Singleline)]
    private static partial Regex XmlTagRegex();

    /// <summary>Reads field values out of a user or assistant message in the given format.</summary>
    internal static Dictionary<string, string> ReadValues(SimFormat format, string text, IReadOnlyList<SimField> fields, bool isFinalUser)
    {
        var values = format switch
        {
            SimFormat.Xml => ReadXml(text),
            SimFormat.TwoStep => ReadNameValueLines(text, fields),
            SimFormat.Json => text.TrimStart().StartsWith('{') ? ReadJson(text) : ReadMarkers(text, fields),
            _ => ReadMarkers(text, fields),
        };
        if (isFinalUser && values.Count > 0)
        {
            var last = values.Keys.Last();
            values[last] = StripReminder(values[last]);
        }
        foreach (var key in values.Keys.ToList())
        {
            if (values[key].StartsWith(SimPromptParser.NotSupplied, StringComparison.Ordinal)) values.Remove(key);
        }
        return values;
    }

    private static string StripReminder(string value)
    {
        foreach (var reminder in new[] { SimPromptParser.ChatReminder, SimPromptParser.JsonReminder })
        {
            var at = value.IndexOf(reminder, StringComparison.Ordinal);
            if (at >= 0) value = value[..at];
        }
        return value.Trim();
    }

    /// <summary>
    /// DSPy's ChatAdapter section split: a line starting with a marker opens a section; first one wins. When the fields are
    /// known, a marker of another name inside a section is part of its value: ReAct's <c>trajectory</c> is itself written
    /// as <c>[[ ## thought_0 ## ]]</c> ... sections, and an LM reads it as the trajectory's text.
    /// </summary>
    internal static Dictionary<string, string> ReadMarkers(string text, IReadOnlyList<SimField>? fields = null)
    {
        var known = fields is { Count: > 0 } ? fields.Select(f => f.Name).Append("completed").ToHashSet(StringComparer.Ordinal) : null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var sb = new StringBuilder();
        void Flush()
        {
            if (current is not null && current != "completed" && !values.ContainsKey(current)) values[current] = sb.ToString().Trim();
            sb.Clear();
        }
        foreach (var line in text.Split('\n'))
        {
            var m = MarkerRegex().Match(line.Trim());
            if (m.Success && (known is null || current is null || known.Contains(m.Groups[1].Value)))
            {
                Flush();
                current = m.Groups[1].Value;
                sb.Append(line.Trim()[m.Length..]).Append('\n');
            }
            else if (current is not null)
            {
                sb.Append(line).Append('\n');
            }
        }
        Flush();
        return values;
    }

    private static Dictionary<string, string> ReadXml(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in XmlTagRegex().Matches(text))
        {
            var name = m.Groups[1].Value;
            if (values.ContainsKey(name)) continue;
            values[name] = m.Groups[2].Value.Trim().Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);
        }
        return values;
    }

    private static Dictionary<string, string> ReadJson(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return values;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                values[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.True => "True",
                    JsonValueKind.False => "False",
                    _ => p.Value.GetRawText(),
                };
            }
        }
        catch (JsonException)
        {
            // An unreadable demo contributes nothing.
        }
        return values;
    }

    /// <summary>TwoStepAdapter's <c>name: value</c> blocks: a line starting with a known field name opens a value.</summary>
    internal static Dictionary<string, string> ReadNameValueLines(string text, IReadOnlyList<SimField> fields)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var sb = new StringBuilder();
        void Flush()
        {
            if (current is not null && !values.ContainsKey(current)) values[current] = sb.ToString().Trim();
            sb.Clear();
        }
        foreach (var line in text.Split('\n'))
        {
            var field = fields.FirstOrDefault(f => line.StartsWith(f.Name + ":", StringComparison.Ordinal));
            if (field is not null)
            {
                Flush();
                current = field.Name;
                sb.Append(line[(field.Name.Length + 1)..]).Append('\n');
            }
            else if (current is not null)
            {
                sb.Append(line).Append('\n');
            }
        }
        Flush();
        return values;
    }
}
