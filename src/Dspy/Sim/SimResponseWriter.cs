using System.Text;

namespace Dspy;

/// <summary>
/// Renders a solution in the format the prompt asked for: ChatAdapter markers ending with
/// <c>[[ ## completed ## ]]</c>, a JSON object, XML tags, or TwoStep free text. A "malformed" response breaks that
/// format on purpose (the first answer field loses its marker or tags; JSON loses its braces) so that the
/// adapter's parse fails.
/// </summary>
internal static class SimResponseWriter
{
    /// <summary>Renders <paramref name="solution"/> as response text.</summary>
    public static string Render(SimPrompt prompt, SimFormat format, SimSolution solution, bool malformed)
    {
        var fields = prompt.OutputFields;
        var broken = malformed ? (fields.FirstOrDefault(f => !f.IsReasoning) ?? (fields.Count > 0 ? fields[0] : null))?.Name : null;
        switch (format)
        {
            case SimFormat.Chat:
            {
                var sb = new StringBuilder();
                foreach (var f in fields)
                {
                    if (f.Name != broken) sb.Append("[[ ## ").Append(f.Name).Append(" ## ]]\n");
                    sb.Append(SimValues.ToPromptText(solution.Values[f.Name])).Append("\n\n");
                }
                return sb.Append("[[ ## completed ## ]]").ToString();
            }
            case SimFormat.Json:
            {
                if (malformed)
                {
                    return string.Join("\n", fields.Select(f => $"{f.Name} = {PythonRepr.Str(solution.Values[f.Name])}"));
                }
                var obj = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var f in fields) obj[f.Name] = solution.Values[f.Name];
                return PythonJson.Dumps(obj, indent: 2);
            }
            case SimFormat.Xml:
                return string.Join("\n\n", fields.Select(f =>
                {
                    var text = XmlText(solution.Values[f.Name]);
                    return f.Name == broken ? text : $"<{f.Name}>\n{text}\n</{f.Name}>";
                }));
            case SimFormat.TwoStep:
            {
                var sb = new StringBuilder(solution.Reasoning).Append("\n\n");
                foreach (var f in fields)
                {
                    if (f.IsReasoning) continue;
                    if (f.Name != broken) sb.Append(f.Name).Append(": ");
                    sb.Append(SimValues.ToPromptText(solution.Values[f.Name])).Append('\n');
                }
                return sb.ToString().TrimEnd();
            }
            default:
                return string.Join("\n", fields.Select(f => SimValues.ToPromptText(solution.Values[f.Name])));
        }
    }

    private static string XmlText(object? value) => value switch
    {
        string s => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal),
        List<object?> list => string.Concat(list.Select(i => $"<item>{XmlText(i)}</item>")),
        Dictionary<string, object?> d => string.Concat(d.Select(kv => $"<{kv.Key}>{XmlText(kv.Value)}</{kv.Key}>")),
        _ => SimValues.ToPromptText(value),
    };
}
