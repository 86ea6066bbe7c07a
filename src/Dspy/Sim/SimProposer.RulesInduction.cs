using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// The simulator answering InferRules' rule-induction prompt (outputs include <c>natural_language_rules</c>, input
/// <c>examples_text</c> made of <c>Input Fields:</c> / <c>=========</c> / <c>Output Fields:</c> blocks): it induces rules in its
/// own grammar from the examples, as it does for MIPROv2's task demos, keeps the number the instructions ask for
/// (<c>extract a list of N</c>; the rules that cover the most examples first) and lists them one per line.
/// </summary>
internal static partial class SimProposer
{
    [GeneratedRegex(@"extract a list of (?<n>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex NumRulesRegex();

    [GeneratedRegex(@"^(?<key>[A-Za-z_][A-Za-z0-9_]*): ?(?<value>.*)$")]
    private static partial Regex FieldLineRegex();

    /// <summary>Fills <c>natural_language_rules</c> (and the reasoning); null if the prompt is not a rule-induction request.</summary>
    public static SimSolution? TryInduceRules(SimPrompt prompt, SimRandom rng, double temperature)
    {
        if (!prompt.OutputFields.Any(f => f.Name == "natural_language_rules")) return null;
        var cases = new List<Case>();
        string? inputName = null, outputName = null;
        foreach (var block in (prompt.Inputs.GetValueOrDefault("examples_text") ?? "").Split("Input Fields:\n").Skip(1))
        {
            var parts = block.Split("=========\nOutput Fields:\n", 2);
            if (parts.Length < 2) continue;
            var inputs = FieldLines(parts[0]);
            var outputs = FieldLines(parts[1]).Where(kv => kv.Key is not ("reasoning" or "rationale")).ToList();
            if (inputs.Count == 0 || outputs.Count == 0) continue;
            inputName ??= inputs.Count == 1 ? inputs[0].Key : null;
            outputName ??= outputs[0].Key;
            cases.Add(new Case(string.Join("\n", inputs.Select(kv => kv.Value)), outputs[0].Value));
        }

        var induced = Induce("", cases, inputName, outputName, rng, temperature);
        var rules = induced.Split('\n').Select(l => l.Trim()).Where(l => SimRuleParser.TryParseRule(l) is not null).ToList();
        var match = NumRulesRegex().Match(prompt.Instructions);
        if (match.Success && int.TryParse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit < rules.Count)
        {
            // Keep the rules that decide the most examples, in their original order among equals.
            rules = rules.Select((rule, i) => (rule, i, support: cases.Count(c => SimRuleParser.TryParseRule(rule)!.Match(c.Input) is not null)))
                .OrderByDescending(r => r.support).ThenBy(r => r.i).Take(limit).OrderBy(r => r.i).Select(r => r.rule).ToList();
        }
        var text = rules.Count == 0 ? "No rule separates these examples." : string.Join("\n", rules.Select((r, i) => $"{i + 1}. {r}"));
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var f in prompt.OutputFields)
        {
            values[f.Name] = f.Name switch
            {
                "natural_language_rules" => text,
                _ when f.IsReasoning => $"I compared {cases.Count} examples and kept the phrases that decide their answers.",
                _ => SimValues.Empty(f),
            };
        }
        return new SimSolution(values, "");
    }

    private static List<KeyValuePair<string, string>> FieldLines(string text)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var line in text.Split('\n'))
        {
            var m = FieldLineRegex().Match(line);
            if (m.Success) fields.Add(KeyValuePair.Create(m.Groups["key"].Value, m.Groups["value"].Value));
            else if (fields.Count > 0 && line.Length > 0) fields[^1] = KeyValuePair.Create(fields[^1].Key, fields[^1].Value + "\n" + line);
        }
        return fields.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Trim())).ToList();
    }
}
