using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// Reads a DSPy-formatted message list (ChatAdapter, JSONAdapter, XMLAdapter, TwoStepAdapter, GEPA reflection) back
/// into fields, instructions, demos and current inputs. It works from the prompt text alone, exactly as a real
/// LM would have to, so it never needs the <see cref="Signature"/> that produced the prompt.
/// </summary>
internal static partial class SimPromptParser
{
    internal const string ChatReminder = "Respond with the corresponding output fields";
    internal const string JsonReminder = "Respond with a JSON object in the following order of fields:";
    internal const string NotSupplied = "Not supplied for this particular example.";
    internal const string IncompletePrefix = "This is an example of the task, though some input or output fields are not supplied.";
    internal const string TwoStepIntro = "You are a helpful assistant that can solve tasks based on user input.";
    internal const string ReflectionIntro = "I provided an assistant with the following instructions to perform a task for me:";
    private const string Objective = "In adhering to this structure, your objective is: ";
    private const string JsonOutputs = "Outputs will be a JSON object with the following fields.";

    [GeneratedRegex(@"^\d+\. `(\w+)` \(")]
    private static partial Regex FieldLineRegex();

    [GeneratedRegex(@"\{(\w+)\}\s+# note: the value you produce (.+)")]
    private static partial Regex NoteRegex();

    /// <summary>Parses the messages of one request.</summary>
    public static SimPrompt Parse(IReadOnlyList<ChatMessage> messages, ChatResponseFormat? responseFormat)
    {
        var system = messages.Count > 0 && messages[0].Role == ChatRole.System ? messages[0].Text : null;
        var rest = system is null ? messages : messages.Skip(1).ToList();
        var lastUserIndex = -1;
        for (var i = rest.Count - 1; i >= 0; i--)
        {
            if (rest[i].Role == ChatRole.User)
            {
                lastUserIndex = i;
                break;
            }
        }
        var lastUser = lastUserIndex >= 0 ? rest[lastUserIndex].Text : "";
        var format = DetectFormat(system, lastUser);

        List<SimField> inputs = [];
        List<SimField> outputs = [];
        var instructions = "";
        if (system is not null && format is SimFormat.Chat or SimFormat.Json or SimFormat.Xml)
        {
            inputs = ReadFieldList(system, "Your input fields are:", "Your output fields are:");
            outputs = ReadFieldList(system, "Your output fields are:", "All interactions will be structured");
            ApplyNotes(system, format, outputs);
            var at = system.IndexOf(Objective, StringComparison.Ordinal);
            if (at >= 0) instructions = Dedent(system[(at + Objective.Length)..]);
        }
        else if (system is not null && format == SimFormat.TwoStep)
        {
            inputs = ReadFieldList(system, "As input, you will be provided with:", "Your outputs must contain:");
            outputs = ReadFieldList(system, "Your outputs must contain:", "You should lay out your outputs");
            var at = system.IndexOf("Specific instructions: ", StringComparison.Ordinal);
            if (at >= 0) instructions = system[(at + "Specific instructions: ".Length)..].Trim();
        }
        else if (system is not null)
        {
            instructions = system.Trim();
        }

        if (outputs.Count == 0 && responseFormat is ChatResponseFormatJson { Schema: { } schema })
        {
            outputs = FieldsFromSchema(schema);
        }

        var demos = new List<SimDemo>();
        for (var i = 0; i + 1 < lastUserIndex; i += 2)
        {
            if (rest[i].Role != ChatRole.User || rest[i + 1].Role != ChatRole.Assistant) continue;
            var demoIn = SimMessageReader.ReadValues(format, rest[i].Text, inputs, isFinalUser: false);
            var demoOut = SimMessageReader.ReadValues(format, rest[i + 1].Text, outputs, isFinalUser: false);
            demos.Add(new SimDemo(demoIn, demoOut));
        }

        var current = format is SimFormat.Reflection or SimFormat.Plain
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : SimMessageReader.ReadValues(format, lastUser, inputs, isFinalUser: true);
        return new SimPrompt(format, inputs, outputs, instructions, demos, current, lastUser);
    }

    private static SimFormat DetectFormat(string? system, string lastUser)
    {
        if (system is null)
        {
            return lastUser.TrimStart().StartsWith(ReflectionIntro, StringComparison.Ordinal) ? SimFormat.Reflection : SimFormat.Plain;
        }
        if (system.StartsWith(TwoStepIntro, StringComparison.Ordinal)) return SimFormat.TwoStep;
        if (!system.Contains("Your output fields are:", StringComparison.Ordinal)) return SimFormat.Plain;
        if (system.Contains(JsonOutputs, StringComparison.Ordinal)) return SimFormat.Json;
        if (system.Contains("[[ ## completed ## ]]", StringComparison.Ordinal)) return SimFormat.Chat;
        return system.Contains("</", StringComparison.Ordinal) ? SimFormat.Xml : SimFormat.Plain;
    }

    /// <summary>Reads the numbered <c>1. `name` (type): desc</c> lines between two headings.</summary>
    internal static List<SimField> ReadFieldList(string text, string startHeading, string endHeading)
    {
        var fields = new List<SimField>();
        var start = text.IndexOf(startHeading, StringComparison.Ordinal);
        if (start < 0) return fields;
        start += startHeading.Length;
        var end = text.IndexOf(endHeading, start, StringComparison.Ordinal);
        var block = end < 0 ? text[start..] : text[start..end];
        foreach (var rawLine in block.Split('\n'))
        {
            var m = FieldLineRegex().Match(rawLine);
            if (!m.Success) continue;
            var open = m.Length - 1;
            var close = MatchingParen(rawLine, open);
            if (close < 0) continue;
            var typeName = rawLine[(open + 1)..close];
            fields.Add(FieldFromType(m.Groups[1].Value, typeName));
        }
        return fields;
    }

    private static int MatchingParen(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            if (s[i] is '(' or '[') depth++;
            else if (s[i] is ')' or ']')
            {
                depth--;
                if (depth == 0) return s[i] == ')' ? i : -1;
            }
            else if (s[i] is '\'' or '"')
            {
                var q = s[i];
                for (i++; i < s.Length && s[i] != q; i++)
                {
                    if (s[i] == '\\') i++;
                }
            }
        }
        return -1;
    }

    /// <summary>Maps a Python-style type name to a value shape.</summary>
    internal static SimField FieldFromType(string name, string typeName)
    {
        var t = typeName.Trim();
        if (t.StartsWith("Union[", StringComparison.Ordinal) || t.StartsWith("UnionType[", StringComparison.Ordinal) || t.StartsWith("Optional[", StringComparison.Ordinal))
        {
            var inner = t[(t.IndexOf('[', StringComparison.Ordinal) + 1)..^1];
            var first = SplitTopLevel(inner).FirstOrDefault(a => a.Trim() != "NoneType")?.Trim() ?? "str";
            return FieldFromType(name, first) with { TypeName = typeName };
        }
        var kind = t switch
        {
            "str" => SimValueKind.Str,
            "int" => SimValueKind.Int,
            "float" => SimValueKind.Float,
            "bool" => SimValueKind.Bool,
            _ when t.StartsWith("Literal[", StringComparison.Ordinal) => SimValueKind.Choice,
            _ when t.StartsWith("list", StringComparison.Ordinal) || t.StartsWith("tuple", StringComparison.Ordinal) || t.StartsWith("set", StringComparison.Ordinal) => SimValueKind.List,
            _ when t.StartsWith("dict", StringComparison.Ordinal) => SimValueKind.Object,
            _ => SimValueKind.Str,
        };
        var choices = kind == SimValueKind.Choice ? SplitTopLevel(t["Literal[".Length..^1]).Select(a => Unquote(a.Trim())).ToList() : [];
        return new SimField(name, typeName, kind, choices, null);
    }

    private static List<string> SplitTopLevel(string s)
    {
        var parts = new List<string>();
        var depth = 0;
        var sb = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '\'' or '"')
            {
                var q = c;
                sb.Append(c);
                for (i++; i < s.Length; i++)
                {
                    sb.Append(s[i]);
                    if (s[i] == '\\' && i + 1 < s.Length) sb.Append(s[++i]);
                    else if (s[i] == q) break;
                }
                continue;
            }
            if (c == '[') depth++;
            if (c == ']') depth--;
            if (c == ',' && depth == 0)
            {
                parts.Add(sb.ToString());
                sb.Clear();
                continue;
            }
            sb.Append(c);
        }
        if (sb.Length > 0) parts.Add(sb.ToString());
        return parts;
    }

    private static string Unquote(string s)
    {
        if (s.Length >= 2 && (s[0] == '\'' || s[0] == '"') && s[^1] == s[0])
        {
            return s[1..^1].Replace("\\'", "'", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        }
        return s;
    }

    /// <summary>Refines output shapes from the <c># note: the value you produce ...</c> lines of the field structure.</summary>
    private static void ApplyNotes(string system, SimFormat format, List<SimField> outputs)
    {
        var structure = system;
        if (format == SimFormat.Json)
        {
            var at = system.IndexOf(JsonOutputs, StringComparison.Ordinal);
            var end = system.IndexOf(Objective, StringComparison.Ordinal);
            if (at >= 0)
            {
                var block = (end > at ? system[(at + JsonOutputs.Length)..end] : system[(at + JsonOutputs.Length)..]).Trim();
                try
                {
                    using var doc = JsonDocument.Parse(block);
                    structure = string.Join("\n", doc.RootElement.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : ""));
                }
                catch (JsonException)
                {
                    // Keep scanning the raw text; notes without quotes still match.
                }
            }
        }
        foreach (var line in structure.Split('\n'))
        {
            var m = NoteRegex().Match(line);
            if (!m.Success) continue;
            var index = outputs.FindIndex(f => f.Name == m.Groups[1].Value);
            if (index < 0) continue;
            outputs[index] = ApplyNote(outputs[index], m.Groups[2].Value.TrimEnd());
        }
    }

    private static SimField ApplyNote(SimField field, string note)
    {
        const string exact = "must exactly match (no extra characters) one of: ";
        const string oneOf = "must be one of: ";
        const string schema = "must adhere to the JSON schema: ";
        if (note.StartsWith("must be True or False", StringComparison.Ordinal)) return field with { Kind = SimValueKind.Bool };
        if (note.StartsWith("must be a single int value", StringComparison.Ordinal)) return field with { Kind = SimValueKind.Int };
        if (note.StartsWith("must be a single float value", StringComparison.Ordinal)) return field with { Kind = SimValueKind.Float };
        if (note.StartsWith(exact, StringComparison.Ordinal)) return field with { Kind = SimValueKind.Choice, Choices = note[exact.Length..].Split("; ") };
        if (note.StartsWith(oneOf, StringComparison.Ordinal)) return field with { Kind = SimValueKind.Choice, Choices = note[oneOf.Length..].Split("; ") };
        if (note.StartsWith(schema, StringComparison.Ordinal))
        {
            var json = note[schema.Length..];
            var kind = json.StartsWith("{\"type\": \"array\"", StringComparison.Ordinal) ? SimValueKind.List : SimValueKind.Object;
            return field with { Kind = kind, JsonSchema = json };
        }
        return field;
    }

    private static List<SimField> FieldsFromSchema(JsonElement schema)
    {
        var fields = new List<SimField>();
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var props)) return fields;
        foreach (var p in props.EnumerateObject())
        {
            var type = p.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var kind = type switch
            {
                "integer" => SimValueKind.Int,
                "number" => SimValueKind.Float,
                "boolean" => SimValueKind.Bool,
                "array" => SimValueKind.List,
                "object" => SimValueKind.Object,
                _ => SimValueKind.Str,
            };
            var choices = p.Value.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select(x => x.ToString()).ToList()
                : [];
            if (choices.Count > 0) kind = SimValueKind.Choice;
            fields.Add(new SimField(p.Name, type ?? "str", kind, choices, p.Value.GetRawText()));
        }
        return fields;
    }

    private static string Dedent(string text)
    {
        var lines = text.Split('\n').Select(l => l.StartsWith("        ", StringComparison.Ordinal) ? l[8..] : l.TrimStart());
        return string.Join("\n", lines).Trim();
    }
}
