using System.Globalization;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// Extractive answers learned from demos (RAG): when every demo's value of a text output is copied word for word from
/// one of its inputs (the same input in every demo, e.g. <c>context</c>), the simulator answers the same way: it quotes
/// the passage of that input in the current prompt that is most similar to the other inputs (the question). Whole
/// passages (the <c>[1] «...»</c> items of a list) when the demos quote whole passages, otherwise single sentences.
/// The pattern is learned, never the demo's answer, as with the arithmetic patterns. See docs/sim.md.
/// </summary>
internal static partial class SimExtraction
{
    public static (object? Value, string Reason)? Answer(SimPrompt prompt, SimField field, IReadOnlyList<SimDemo> demos)
    {
        if (field.Kind != SimValueKind.Str || demos.Count == 0 || prompt.InputFields.Count < 2) return null;
        var source = SourceField(prompt, field, demos);
        if (source is null || !prompt.Inputs.TryGetValue(source, out var text)) return null;
        var wholeItems = demos.All(d => Items(d.Inputs[source]).Contains(d.Outputs[field.Name].Trim(), StringComparer.Ordinal));
        var units = wholeItems ? Items(text) : Items(text).SelectMany(Sentences).ToList();
        if (units.Count == 0) return null;
        var question = string.Join("\n", prompt.InputFields.Where(f => f.Name != source && prompt.Inputs.ContainsKey(f.Name)).Select(f => prompt.Inputs[f.Name]));
        var similarity = new SimSimilarity(units.Append(question));
        var best = 0;
        var bestScore = -1.0;
        for (var i = 0; i < units.Count; i++)
        {
            var score = similarity.Score(units[i], question);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }
        var unit = wholeItems ? "passage" : "sentence";
        var reason = $"Like the examples, I quote the {unit} of the {source} that best matches the question " +
            $"(similarity {bestScore.ToString("0.00", CultureInfo.InvariantCulture)}).";
        return (units[best], reason);
    }

    /// <summary>The input every demo's answer is copied from, or null if there is no such input.</summary>
    private static string? SourceField(SimPrompt prompt, SimField field, IReadOnlyList<SimDemo> demos)
    {
        foreach (var input in prompt.InputFields)
        {
            var copied = demos.All(d =>
                d.Outputs.TryGetValue(field.Name, out var answer) && answer.Trim().Length > 0 && SimText.Tokens(answer).Count > 4
                && d.Inputs.TryGetValue(input.Name, out var value) && value.Contains(answer.Trim(), StringComparison.Ordinal));
            if (copied) return input.Name;
        }
        return null;
    }

    /// <summary>The items of a rendered input: <c>[n] «item»</c> lines, a single <c>«item»</c>, or its non-empty lines.</summary>
    private static List<string> Items(string text)
    {
        var numbered = ItemRegex().Matches(text).Select(m => m.Groups[1].Value.Trim()).ToList();
        if (numbered.Count > 0) return numbered;
        var trimmed = text.Trim();
        if (trimmed.StartsWith('«') && trimmed.EndsWith('»')) return [trimmed.Trim('«', '»').Trim()];
        return trimmed.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
    }

    private static IEnumerable<string> Sentences(string item) =>
        SentenceEndRegex().Split(item).Select(s => s.Trim()).Where(s => s.Length > 0);

    [GeneratedRegex(@"^\[\d+\] «(.*)»\s*$", RegexOptions.Multiline)]
    private static partial Regex ItemRegex();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z])")]
    private static partial Regex SentenceEndRegex();
}
