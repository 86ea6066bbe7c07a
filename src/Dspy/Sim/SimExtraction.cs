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
    private sealed record Unit(string? Section, string Text);

    public static (object? Value, string Reason)? Answer(SimPrompt prompt, SimField field, IReadOnlyList<SimDemo> demos)
    {
        if (field.Kind != SimValueKind.Str || demos.Count == 0 || prompt.InputFields.Count < 2) return null;
        var pattern = LearnWholeUnits(prompt, field, demos) ?? LearnQuotes(prompt, field, demos);
        if (pattern is not { } p || !prompt.Inputs.TryGetValue(p.Source, out var text)) return null;
        var units = p.WholeUnits
            ? Units(text).Where(u => u.Section == p.Section).Select(u => u.Text).ToList()
            : Units(text).SelectMany(u => Sentences(u.Text)).ToList();
        if (units.Count == 0) return null;
        var question = string.Join("\n", prompt.InputFields.Where(f => f.Name != p.Source && prompt.Inputs.ContainsKey(f.Name)).Select(f => prompt.Inputs[f.Name]));
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
        var what = p.WholeUnits ? (p.Section is null ? "passage" : $"{p.Section} item") : "sentence";
        var reason = $"Like the examples, I quote the {what} of the {p.Source} that best matches the question " +
            $"(similarity {bestScore.ToString("0.00", CultureInfo.InvariantCulture)}).";
        return (units[best], reason);
    }

    /// <summary>Every demo's answer is a whole item of the same input (and of the same section of it, e.g. an observation).</summary>
    private static (string Source, bool WholeUnits, string? Section)? LearnWholeUnits(SimPrompt prompt, SimField field, IReadOnlyList<SimDemo> demos)
    {
        foreach (var input in prompt.InputFields)
        {
            string? section = null;
            var ok = true;
            for (var d = 0; d < demos.Count && ok; d++)
            {
                var demo = demos[d];
                var match = demo.Outputs.TryGetValue(field.Name, out var answer) && answer.Trim().Length > 0
                    && demo.Inputs.TryGetValue(input.Name, out var value)
                    ? Units(value).FirstOrDefault(u => u.Text == answer.Trim())
                    : null;
                ok = match is not null && (d == 0 || match.Section == section);
                section = match?.Section;
            }
            if (ok) return (input.Name, true, section);
        }
        return null;
    }

    /// <summary>Every demo's answer (more than four words) is quoted from the same input, not necessarily a whole item.</summary>
    private static (string Source, bool WholeUnits, string? Section)? LearnQuotes(SimPrompt prompt, SimField field, IReadOnlyList<SimDemo> demos)
    {
        foreach (var input in prompt.InputFields)
        {
            var copied = demos.All(d =>
                d.Outputs.TryGetValue(field.Name, out var answer) && SimText.Tokens(answer).Count > 4
                && d.Inputs.TryGetValue(input.Name, out var value) && value.Contains(answer.Trim(), StringComparison.Ordinal));
            if (copied) return (input.Name, false, null);
        }
        return null;
    }

    /// <summary>
    /// The items of a rendered input, each with the section it is in: <c>[[ ## name_N ## ]]</c> sections (ReAct's
    /// trajectory; the name without its step number), and within a section (or the whole text) <c>[n] «item»</c> lines,
    /// a single <c>«item»</c>, or its non-empty lines.
    /// </summary>
    private static List<Unit> Units(string text)
    {
        var headers = SectionRegex().Matches(text);
        if (headers.Count == 0) return Items(text).Select(i => new Unit(null, i)).ToList();
        var units = new List<Unit>();
        for (var h = 0; h < headers.Count; h++)
        {
            var start = headers[h].Index + headers[h].Length;
            var end = h + 1 < headers.Count ? headers[h + 1].Index : text.Length;
            var name = StepSuffixRegex().Replace(headers[h].Groups[1].Value, "");
            units.AddRange(Items(text[start..end]).Select(i => new Unit(name, i)));
        }
        return units;
    }

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

    [GeneratedRegex(@"^\[\[ ## (\w+) ## \]\]", RegexOptions.Multiline)]
    private static partial Regex SectionRegex();

    [GeneratedRegex(@"_\d+$")]
    private static partial Regex StepSuffixRegex();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z])")]
    private static partial Regex SentenceEndRegex();
}
