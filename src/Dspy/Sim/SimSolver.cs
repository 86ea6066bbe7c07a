using System.Globalization;

namespace Dspy;

/// <summary>What the simulator decided for one request: typed output values and a short account of why.</summary>
internal sealed record SimSolution(Dictionary<string, object?> Values, string Reasoning);

/// <summary>
/// The simulator's "model": for each output field it applies, in order, (1) a matching rule from the instructions,
/// (2) the most similar demo (copying label-like values, or re-applying the demo's arithmetic pattern), (3) a default
/// rule, (4) a weak zero-knowledge prior. Then noise and letter-case rules. See docs/sim.md.
/// </summary>
internal sealed partial class SimSolver(SimOptions options)
{
    private sealed record Ranked(SimDemo Demo, double Similarity, int Index);

    /// <summary>Answers <paramref name="prompt"/>; every random choice draws from <paramref name="rng"/> in a fixed order.</summary>
    public SimSolution Solve(SimPrompt prompt, SimRandom rng, double temperature)
    {
        var rules = SimRuleParser.Parse(prompt.Instructions);
        var query = InputText(prompt, prompt.Inputs);
        var similarity = new SimSimilarity(prompt.Demos.Select(d => InputText(prompt, d.Inputs)).Append(query));
        var ranked = prompt.Demos
            .Select((d, i) => new Ranked(d, similarity.Score(InputText(prompt, d.Inputs), query) * ShapeFactor(prompt, d), i))
            .OrderByDescending(r => r.Similarity).ThenBy(r => r.Index).ToList();
        var primary = prompt.OutputFields.FirstOrDefault(f => !f.IsReasoning);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var why = new List<string>();
        foreach (var field in prompt.OutputFields)
        {
            if (field.IsReasoning) continue;
            var (value, reason) = Decide(prompt, field, field == primary, rules, ranked, query, rng, temperature);
            if (rng.Chance(options.NoiseRate))
            {
                var wrong = Corrupt(field, value, ranked, rng);
                if (!Equals(wrong, value))
                {
                    value = wrong;
                    reason += " (On second thought I changed my answer.)";
                }
            }
            if (value is string s && field.Kind == SimValueKind.Str)
            {
                value = rules.Case switch
                {
                    SimCase.Lower => s.ToLowerInvariant(),
                    SimCase.Upper => s.ToUpperInvariant(),
                    _ => s,
                };
            }
            values[field.Name] = value;
            why.Add(reason);
        }
        var reasoning = string.Join(" ", why.Where(w => w.Length > 0));
        var ordered = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in prompt.OutputFields)
        {
            ordered[field.Name] = field.IsReasoning ? reasoning : values[field.Name];
        }
        return new SimSolution(ordered, reasoning.Length == 0 ? "I answered directly." : reasoning);
    }

    /// <summary>
    /// A demo with an input left empty where the current input has a value (or the reverse) shows a different situation,
    /// e.g. ReAct's first turn (empty trajectory) against a later one, so its similarity counts half.
    /// </summary>
    private static double ShapeFactor(SimPrompt prompt, SimDemo demo)
    {
        foreach (var field in prompt.InputFields)
        {
            var here = prompt.Inputs.TryGetValue(field.Name, out var a) && a.Trim().Length > 0;
            var there = demo.Inputs.TryGetValue(field.Name, out var b) && b.Trim().Length > 0;
            if (here != there) return 0.5;
        }
        return 1;
    }

    /// <summary>The text a prompt's inputs are compared and matched on: the values in field order.</summary>
    internal static string InputText(SimPrompt prompt, IReadOnlyDictionary<string, string> inputs)
    {
        var parts = prompt.InputFields.Where(f => inputs.ContainsKey(f.Name)).Select(f => inputs[f.Name]).ToList();
        if (parts.Count == 0) parts = inputs.Values.ToList();
        return string.Join("\n", parts);
    }

    private (object? Value, string Reason) Decide(SimPrompt prompt, SimField field, bool isPrimary, SimRuleSet rules,
        List<Ranked> ranked, string query, SimRandom rng, double temperature)
    {
        if (Extracted(prompt, field) is { } extracted) return (extracted, "");
        if (ApplyRule(prompt, field, isPrimary, rules, query, conditional: true) is { } ruled) return ruled;
        var withField = ranked.Where(r => r.Demo.Outputs.ContainsKey(field.Name)).ToList();
        if (SimExtraction.Answer(prompt, field, withField.Select(r => r.Demo).ToList()) is { } quoted) return quoted;
        if (withField.Count > 0 && SimArguments.Adapt(prompt, field, withField[0].Demo, withField[0].Similarity) is { } adapted) return adapted;
        if (withField.Count > 0 && FromDemos(field, withField, query, rng, temperature) is { } learned) return learned;
        if (ApplyRule(prompt, field, isPrimary, rules, query, conditional: false) is { } fallback) return fallback;
        return Prior(field, query, rng, temperature);
    }

    /// <summary>TwoStepAdapter's extraction call (<c>text -> outputs</c>): read <c>name: value</c> lines from the text.</summary>
    private static object? Extracted(SimPrompt prompt, SimField field)
    {
        if (prompt.Demos.Count > 0 || !prompt.Inputs.TryGetValue("text", out var text)) return null;
        var lines = SimMessageReader.ReadNameValueLines(text, prompt.OutputFields);
        return lines.TryGetValue(field.Name, out var v) ? SimValues.FromText(field, v) : null;
    }

    private static (object?, string)? ApplyRule(SimPrompt prompt, SimField field, bool isPrimary, SimRuleSet rules, string query, bool conditional)
    {
        SimRule? best = null;
        string? bestPhrase = null;
        object? bestValue = null;
        string? bestDetail = null;
        foreach (var rule in rules.Rules)
        {
            if (rule.IsDefault == conditional) continue;
            var targets = rule.Target is null ? isPrimary : string.Equals(rule.Target, field.Name, StringComparison.OrdinalIgnoreCase)
                || (isPrimary && !prompt.OutputFields.Any(f => string.Equals(f.Name, rule.Target, StringComparison.OrdinalIgnoreCase)));
            if (!targets) continue;
            var text = rule.Field is not null && prompt.Inputs.TryGetValue(rule.Field, out var fv) ? fv : query;
            var phrase = rule.Match(text);
            if (conditional && phrase is null) continue;
            if (best is not null && rule.Specificity <= best.Specificity) continue;
            object? value;
            string? detail = null;
            if (rule.Expression is { } expr)
            {
                var numbers = SimText.Numbers(text);
                if (expr.StartsWith("chain ", StringComparison.Ordinal)) expr = SimExpression.Chain(numbers.Count, expr[^1]);
                if (!SimExpression.TryEvaluate(expr, numbers, out var n)) continue;
                value = SimValues.Number(field, n);
                detail = $"{SimExpression.Substitute(expr, numbers)} = {SimText.FormatNumber(n)}";
            }
            else
            {
                value = SimValues.FromText(field, rule.Value!);
                if (value is null) continue;
            }
            best = rule;
            bestPhrase = phrase;
            bestValue = value;
            bestDetail = detail;
        }
        if (best is null) return null;
        var result = bestDetail ?? $"{field.Name} is {SimValues.ToPromptText(bestValue)}";
        var reason = best.IsDefault
            ? $"No rule matched, so I followed the default: {best.Source.TrimEnd('.')}. So {result}."
            : $"The input mentions \"{bestPhrase}\", and the instructions say: {best.Source.TrimEnd('.')}. So {result}.";
        return (bestValue, reason);
    }

    private (object?, string)? FromDemos(SimField field, List<Ranked> ranked, string query, SimRandom rng, double temperature)
    {
        var numbers = SimText.Numbers(query);
        // A numeric answer to a question with numbers is computed, not copied; without numbers in the input it is copied.
        var numeric = numbers.Count > 0 && (field.Kind is SimValueKind.Int or SimValueKind.Float
            || (field.Kind == SimValueKind.Str && ranked.All(r => SimText.TryParseNumber(r.Demo.Outputs[field.Name], out _))));
        if (numeric) return FromDemoPattern(field, ranked, numbers, rng, temperature);

        if (field.Kind == SimValueKind.Choice && field.Choices.Count > 0) return FromDemoVotes(field, ranked, query, rng, temperature);
        if (field.Kind == SimValueKind.Str && LabelVocabulary(field, ranked) is { } labels) return FromDemoLabels(field, labels, ranked, query, rng, temperature);

        var pool = ranked.Take(temperature > 0 ? options.SamplingNeighbours : 1).ToList();
        var pick = pool[0];
        if (pool.Count > 1)
        {
            var weights = pool.Select(r => Math.Exp((r.Similarity - pool[0].Similarity) / (0.1 * temperature))).ToList();
            pick = pool[SampleIndex(weights, rng)];
        }
        var labelLike = field.Kind is SimValueKind.Choice or SimValueKind.Bool || SimText.Tokens(pick.Demo.Outputs[field.Name]).Count <= 4;
        if (field.Kind == SimValueKind.Str && !labelLike && pick.Similarity < 0.35) return null;
        var value = SimValues.FromText(field, pick.Demo.Outputs[field.Name]);
        if (value is null) return null;
        var reason = $"The most similar example (similarity {Format(pick.Similarity)}) had {field.Name} {SimValues.ToPromptText(value)}, so I answer the same.";
        return (value, reason);
    }

    /// <summary>
    /// Demos less similar than this to the input are treated as irrelevant when choosing a label: like an LM that
    /// learns in context, the simulator leans on an example only when it resembles the input, so unrelated demos
    /// neither help nor override what the input itself says (the keyword prior).
    /// </summary>
    internal const double MinDemoSimilarity = 0.1;

    /// <summary>The weight of a demo's vote: its similarity if it is at least <see cref="MinDemoSimilarity"/>, else 0.</summary>
    private static double Evidence(double similarity) => similarity >= MinDemoSimilarity ? similarity : 0;

    /// <summary>
    /// Scores each choice by the evidence of its most similar demo (<see cref="Evidence"/>) plus <see cref="PriorWeight"/>
    /// times its keyword prior, so a close demo decides, while unrelated demos do not override what the input itself says.
    /// </summary>
    private static (object?, string)? FromDemoVotes(SimField field, List<Ranked> ranked, string query, SimRandom rng, double temperature)
    {
        var prior = PriorScores(field.Choices, query);
        var best = new Ranked?[field.Choices.Count];
        foreach (var r in ranked)
        {
            var choice = SimValues.MatchChoice(field, r.Demo.Outputs[field.Name]);
            var i = choice is null ? -1 : IndexOf(field.Choices, choice);
            if (i >= 0 && best[i] is null) best[i] = r;
        }
        var scores = field.Choices.Select((_, i) => Evidence(best[i]?.Similarity ?? 0) + PriorWeight * prior[i]).ToList();
        var pick = PickScore(scores, rng, temperature, query);
        var value = field.Choices[pick];
        return (value, VoteReason(field, value, best[pick], prior[pick]));
    }

    /// <summary>
    /// A <c>str</c> output whose demos all answer with snake_case identifiers (<c>book_flight</c>): like an LM copying
    /// the label style of its examples, the simulator answers with a demo label (scored as for a choice field) or, when
    /// no demo is relevant and no demo label's words all appear in the input, coins a label in the same style from the
    /// input's first two content words (<see cref="CoinedLabelScore"/>) instead of echoing the input.
    /// </summary>
    private static (object?, string)? FromDemoLabels(SimField field, List<string> labels, List<Ranked> ranked, string query, SimRandom rng, double temperature)
    {
        var prior = PriorScores(labels, query);
        var best = labels.Select(l => ranked.FirstOrDefault(r => r.Demo.Outputs[field.Name].Trim() == l)).ToList();
        var scores = labels.Select((_, i) => Evidence(best[i]?.Similarity ?? 0) + PriorWeight * prior[i]).ToList();
        var coined = CoinLabel(query);
        if (coined is not null && !labels.Contains(coined))
        {
            labels = [.. labels, coined];
            best.Add(null);
            prior.Add(0);
            scores.Add(CoinedLabelScore);
        }
        var pick = PickScore(scores, rng, temperature, query);
        var value = labels[pick];
        if (value == coined && best[pick] is null && prior[pick] == 0)
        {
            return (value, $"No example is close, so I name the intent from the input's key words in the examples' style: {value}.");
        }
        return (value, VoteReason(field, value, best[pick], prior[pick]));
    }

    /// <summary>
    /// The score of a label coined from the input: above a demo label whose words half appear in the input
    /// (<see cref="PriorWeight"/> x 0.5), below a relevant demo or a label whose words all appear.
    /// </summary>
    private const double CoinedLabelScore = PriorWeight * 0.75;

    /// <summary>The demos' answers if every one is a snake_case identifier (at least two words), in demo order; else null.</summary>
    private static List<string>? LabelVocabulary(SimField field, List<Ranked> ranked)
    {
        var answers = ranked.OrderBy(r => r.Index).Select(r => r.Demo.Outputs[field.Name].Trim()).ToList();
        return answers.Count > 0 && answers.All(SimText.IsSnakeCaseLabel) ? answers.Distinct(StringComparer.Ordinal).ToList() : null;
    }

    /// <summary>A snake_case label from the input's first two content words (no numbers), or null if it has fewer.</summary>
    private static string? CoinLabel(string query)
    {
        var words = SimText.Tokens(query).Where(t => t != "#" && !SimText.StopWords.Contains(t) && t.All(char.IsAsciiLetterLower)).Take(2).ToList();
        return words.Count == 2 ? string.Join('_', words) : null;
    }

    private static string VoteReason(SimField field, string value, Ranked? demo, double prior) =>
        demo is not null && Evidence(demo.Similarity) > 0 && Evidence(demo.Similarity) >= PriorWeight * prior
            ? $"The most similar example (similarity {Format(demo.Similarity)}) had {field.Name} {value}, so I answer the same."
            : prior > 0
                ? $"No example is close, but the words of \"{value}\" appear in the input, so I answer {value}."
                : $"No example is close and nothing in the input points to a choice, so I guess {value}.";

    /// <summary>
    /// At temperature 0, the best score; a tie is broken by a draw seeded from the input text alone, so an input gets the
    /// same guess whatever demos surround it (an irrelevant demo changes nothing). Above 0, softmax-sampled from
    /// <paramref name="rng"/> with weights <c>exp((score - best) / (0.1 T))</c>, T at least <paramref name="minTemperature"/>.
    /// </summary>
    private static int PickScore(List<double> scores, SimRandom rng, double temperature, string query, double minTemperature = 0.02)
    {
        var max = scores.Max();
        if (temperature <= 0)
        {
            var tied = Enumerable.Range(0, scores.Count).Where(i => scores[i] >= max - 1e-9).ToList();
            return tied.Count == 1 ? tied[0] : tied[SimRandom.FromText("tie\n" + query).Next(tied.Count)];
        }
        var weights = scores.Select(x => Math.Exp((x - max) / (0.1 * Math.Max(temperature, minTemperature)))).ToList();
        return SampleIndex(weights, rng);
    }

    private static string Format(double similarity) => similarity.ToString("0.00", CultureInfo.InvariantCulture);

    private static int IndexOf(IReadOnlyList<string> items, string item)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] == item) return i;
        }
        return -1;
    }

    /// <summary>Finds the arithmetic pattern that explains the most similar demos (weight similarity^4) and applies it.</summary>
    private static (object?, string)? FromDemoPattern(SimField field, List<Ranked> ranked, List<double> numbers, SimRandom rng, double temperature)
    {
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in ranked)
        {
            var demoNumbers = SimText.Numbers(string.Join("\n", r.Demo.Inputs.Values));
            if (demoNumbers.Count != numbers.Count || !SimText.TryParseNumber(r.Demo.Outputs[field.Name], out var answer)) continue;
            foreach (var e in SimExpression.Fit(demoNumbers, answer)) scores[e] = scores.GetValueOrDefault(e) + Math.Pow(Math.Max(r.Similarity, 1e-3), 4);
        }
        if (scores.Count == 0) return null;
        var order = SimExpression.Candidates(numbers.Count).ToList();
        var ranking = scores.OrderByDescending(kv => kv.Value).ThenBy(kv => order.IndexOf(kv.Key)).ToList();
        var chosen = ranking[0].Key;
        if (temperature > 0 && ranking.Count > 1)
        {
            var weights = ranking.Select(kv => Math.Pow(kv.Value / ranking[0].Value, 1.0 / temperature)).ToList();
            chosen = ranking[SampleIndex(weights, rng)].Key;
        }
        if (!SimExpression.TryEvaluate(chosen, numbers, out var result)) return null;
        var reason = $"This follows the pattern of the most similar example ({chosen}): {SimExpression.Substitute(chosen, numbers)} = {SimText.FormatNumber(result)}.";
        return (SimValues.Number(field, result), reason);
    }

    /// <summary>A plausible wrong answer: another choice, a flipped bool, a number off by a little, another demo's value.</summary>
    private static object? Corrupt(SimField field, object? value, List<Ranked> ranked, SimRandom rng)
    {
        switch (value)
        {
            case bool b: return !b;
            case long l: return l + (rng.Chance(0.5) ? 1 : -1) * rng.Next(1, 3);
            case double d: return d + (rng.Chance(0.5) ? 1 : -1) * Math.Max(1, Math.Abs(d) * 0.1);
            case string s when field.Kind == SimValueKind.Choice && field.Choices.Count > 1:
            {
                var others = field.Choices.Where(c => c != s).ToList();
                return others[rng.Next(others.Count)];
            }
            case string s when SimText.TryParseNumber(s, out var n):
                return SimText.FormatNumber(n + (rng.Chance(0.5) ? 1 : -1) * rng.Next(1, 3));
            case string s:
            {
                var others = ranked.Select(r => r.Demo.Outputs.GetValueOrDefault(field.Name)).OfType<string>().Where(o => o != s).Distinct(StringComparer.Ordinal).ToList();
                return others.Count > 0 ? others[rng.Next(others.Count)] : s;
            }
            default: return value;
        }
    }

    private static int SampleIndex(List<double> weights, SimRandom rng)
    {
        var total = weights.Sum();
        var x = rng.NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.Count - 1;
    }
}
