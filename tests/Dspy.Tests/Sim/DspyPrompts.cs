using System.Text;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Sim;

/// <summary>A field for hand-built prompts: name and Python type name (<c>str</c>, <c>int</c>, <c>Literal['a', 'b']</c>).</summary>
internal sealed record PField(string Name, string Type, string Desc = "");

internal enum PFormat
{
    Chat,
    Json,
    Xml,
}

/// <summary>
/// Builds DSPy 3.3.1 adapter prompts by hand, following reference/dspy.md section 2 byte for byte, so the simulator is
/// tested against the real formats independently of the library's adapters.
/// </summary>
internal static class DspyPrompts
{
    public static List<ChatMessage> Build(PFormat format, IReadOnlyList<PField> inputs, IReadOnlyList<PField> outputs, string instructions,
        IReadOnlyList<(Dictionary<string, string> In, Dictionary<string, string> Out)> demos, Dictionary<string, string> current)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, System(format, inputs, outputs, instructions)) };
        foreach (var (din, dout) in demos)
        {
            messages.Add(new ChatMessage(ChatRole.User, UserInputs(format, inputs, din)));
            messages.Add(new ChatMessage(ChatRole.Assistant, Assistant(format, outputs, dout)));
        }
        messages.Add(new ChatMessage(ChatRole.User, UserInputs(format, inputs, current) + "\n\n" + Reminder(format, outputs)));
        return messages;
    }

    public static string System(PFormat format, IReadOnlyList<PField> inputs, IReadOnlyList<PField> outputs, string instructions)
    {
        var description = "Your input fields are:\n" + FieldList(inputs) + "\nYour output fields are:\n" + FieldList(outputs);
        string structure;
        const string head = "All interactions will be structured in the following way, with the appropriate values filled in.";
        switch (format)
        {
            case PFormat.Chat:
            {
                var parts = new List<string> { head };
                parts.AddRange(inputs.Select(f => $"[[ ## {f.Name} ## ]]\n{{{f.Name}}}"));
                parts.AddRange(outputs.Select(f => $"[[ ## {f.Name} ## ]]\n{{{f.Name}}}{Note(f)}"));
                parts.Add("[[ ## completed ## ]]");
                structure = string.Join("\n\n", parts).Trim();
                break;
            }
            case PFormat.Json:
            {
                var parts = new List<string> { head, "Inputs will have the following structure:" };
                parts.AddRange(inputs.Select(f => $"[[ ## {f.Name} ## ]]\n{{{f.Name}}}"));
                parts.Add("Outputs will be a JSON object with the following fields.");
                var obj = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var f in outputs) obj[f.Name] = $"{{{f.Name}}}{Note(f)}";
                parts.Add(PythonJson.Dumps(obj, indent: 2));
                structure = string.Join("\n\n", parts).Trim();
                break;
            }
            default:
            {
                var parts = new List<string> { head };
                parts.AddRange(inputs.Select(f => $"<{f.Name}>\n{{{f.Name}}}\n</{f.Name}>"));
                parts.AddRange(outputs.Select(f => $"<{f.Name}>\n{{{f.Name}}}{Note(f)}\n</{f.Name}>"));
                structure = string.Join("\n\n", parts);
                break;
            }
        }
        var task = "In adhering to this structure, your objective is: " + string.Concat(instructions.Split('\n').Select(l => "\n        " + l));
        return description + "\n" + structure + "\n" + task;
    }

    private static string FieldList(IReadOnlyList<PField> fields) =>
        string.Join("\n", fields.Select((f, i) => $"{i + 1}. `{f.Name}` ({f.Type}): {f.Desc}")).Trim();

    public static string Note(PField f)
    {
        const string prefix = "        # note: the value you produce ";
        if (f.Type == "str") return "";
        if (f.Type == "bool") return prefix + "must be True or False";
        if (f.Type == "int") return prefix + "must be a single int value";
        if (f.Type == "float") return prefix + "must be a single float value";
        if (f.Type.StartsWith("Literal[", StringComparison.Ordinal))
        {
            var choices = f.Type["Literal[".Length..^1].Split(", ").Select(c => c.Trim('\''));
            return prefix + "must exactly match (no extra characters) one of: " + string.Join("; ", choices);
        }
        return prefix + "must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"string\"}}";
    }

    public static string UserInputs(PFormat format, IReadOnlyList<PField> inputs, Dictionary<string, string> values)
    {
        var parts = inputs.Where(f => values.ContainsKey(f.Name)).Select(f => format == PFormat.Xml
            ? $"<{f.Name}>\n{values[f.Name]}\n</{f.Name}>"
            : $"[[ ## {f.Name} ## ]]\n{values[f.Name]}");
        return string.Join("\n\n", parts).Trim();
    }

    public static string Reminder(PFormat format, IReadOnlyList<PField> outputs)
    {
        static string Hint(PField f) => f.Type == "str" ? "" : $" (must be formatted as a valid Python {f.Type})";
        return format switch
        {
            PFormat.Chat => "Respond with the corresponding output fields, starting with the field "
                + string.Join(", then ", outputs.Select(f => $"`[[ ## {f.Name} ## ]]`{Hint(f)}"))
                + ", and then ending with the marker for `[[ ## completed ## ]]`.",
            PFormat.Json => "Respond with a JSON object in the following order of fields: "
                + string.Join(", then ", outputs.Select(f => $"`{f.Name}`{Hint(f)}")) + ".",
            _ => "Respond with the corresponding output fields wrapped in XML tags "
                + string.Join(", then ", outputs.Select(f => $"`<{f.Name}>`")) + ".",
        };
    }

    public static string Assistant(PFormat format, IReadOnlyList<PField> outputs, Dictionary<string, string> values)
    {
        switch (format)
        {
            case PFormat.Chat:
                var body = string.Join("\n\n", outputs.Select(f => $"[[ ## {f.Name} ## ]]\n{values.GetValueOrDefault(f.Name, "Not supplied for this particular example. ")}")).Trim();
                return body + "\n\n[[ ## completed ## ]]\n";
            case PFormat.Json:
                var obj = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var f in outputs)
                {
                    var v = values.GetValueOrDefault(f.Name);
                    obj[f.Name] = f.Type == "int" && long.TryParse(v, out var l) ? l : v;
                }
                return PythonJson.Dumps(obj, indent: 2);
            default:
                return string.Join("\n\n", outputs.Where(f => values.ContainsKey(f.Name)).Select(f => $"<{f.Name}>\n{values[f.Name]}\n</{f.Name}>"));
        }
    }

    /// <summary>Reads ChatAdapter sections the way DSPy's parser does (first occurrence wins).</summary>
    public static Dictionary<string, string> ParseChat(string completion)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var sb = new StringBuilder();
        void Flush()
        {
            if (current is not null && !result.ContainsKey(current)) result[current] = sb.ToString().Trim();
            sb.Clear();
        }
        foreach (var line in completion.Split('\n'))
        {
            var t = line.Trim();
            if (t.StartsWith("[[ ## ", StringComparison.Ordinal) && t.IndexOf(" ## ]]", StringComparison.Ordinal) is var end and > 6)
            {
                Flush();
                current = t[6..end];
                sb.Append(t[(end + 6)..]).Append('\n');
            }
            else if (current is not null)
            {
                sb.Append(line).Append('\n');
            }
        }
        Flush();
        return result;
    }
}
