using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// The simulator as a proposal/reflection LM. Given examples with known answers (GEPA's reflective dataset with
/// feedback, or MIPROv2's task demos), it writes rules in its own grammar: for each example the current rules get
/// wrong, the most distinctive phrase of its input becomes <c>If the &lt;input&gt; mentions "phrase", &lt;output&gt; is
/// &lt;answer&gt;.</c>, or, for numeric answers, <c>... compute &lt;pattern&gt;.</c>. Existing rules and prose are kept.
/// </summary>
internal static partial class SimProposer
{
    /// <summary>Conversational filler that never signals an answer on its own.</summary>
    private static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "quick", "question", "good", "morning", "afternoon", "evening", "asap", "today", "tomorrow", "now", "right",
        "help", "excuse", "wondering", "sure", "ok", "okay", "again", "though", "already", "fine", "last", "week",
        "friend", "app", "possible", "soon", "really", "something", "much", "many", "let", "know", "tell", "think",
    };

    /// <summary>One example with a known answer.</summary>
    internal sealed record Case(string Input, string Gold);

    [GeneratedRegex(@"(?:correct|expected|gold|right|true|target|reference)\s+(?:answer|label|output|value|intent|class|category|result)\s*(?:is|was|should be|would be|:|=)\s*(?<v>.+?)\s*(?:[.;](?:\s|$)|\n|$)", RegexOptions.IgnoreCase)]
    private static partial Regex GoldRegex();

    [GeneratedRegex(@"should (?:have been|be)\s+(?<v>.+?)\s*(?:[.;](?:\s|$)|\n|$)", RegexOptions.IgnoreCase)]
    private static partial Regex ShouldBeRegex();

    [GeneratedRegex(@"[,.;:!?()\[\]{}""“”]|\s[-–]\s|\n")]
    private static partial Regex ClauseRegex();

    [GeneratedRegex(@"Instruction #(?<n>\d+): (?<text>.*?)\n\s*Prefix #\k<n>: .*?\n\s*Resulting Score #\k<n>: (?<score>[-\d.]+)", RegexOptions.Singleline)]
    private static partial Regex AttemptRegex();

    [GeneratedRegex(@"^# Example \d+\s*$", RegexOptions.Multiline)]
    private static partial Regex ExampleHeaderRegex();

    [GeneratedRegex(@"^(?<prefix>[A-Za-z][A-Za-z0-9 _'()-]{0,40}):\s?(?<value>.*)$")]
    private static partial Regex PrefixLineRegex();

    /// <summary>Answers GEPA's "I provided an assistant with the following instructions ..." prompt.</summary>
    public static string Reflect(string prompt, SimRandom rng, double temperature)
    {
        var fences = AllIndexes(prompt, "```");
        var current = fences.Count >= 2 ? prompt[(fences[0] + 3)..fences[1]].Trim('\n') : "";
        var examplesStart = fences.Count >= 3 ? fences[2] + 3 : 0;
        var examplesEnd = prompt.LastIndexOf("```\n\nYour task is to write a new instruction", StringComparison.Ordinal);
        if (examplesEnd < examplesStart) examplesEnd = fences.Count >= 4 ? fences[3] : prompt.Length;
        var examplesText = prompt[examplesStart..examplesEnd];

        var cases = new List<Case>();
        string? inputName = null, outputName = null;
        var headers = ExampleHeaderRegex().Matches(examplesText).Select(m => m.Index).Append(examplesText.Length).ToList();
        for (var i = 0; i + 1 < headers.Count; i++)
        {
            var sections = Sections(examplesText[headers[i]..headers[i + 1]], "## ");
            var inputs = Sections(sections.GetValueOrDefault("Inputs") ?? "", "### ");
            var generated = Sections(sections.GetValueOrDefault("Generated Outputs") ?? "", "### ");
            var feedback = sections.GetValueOrDefault("Feedback") ?? "";
            var answerField = generated.Keys.FirstOrDefault(k => k is not ("reasoning" or "rationale"));
            var gold = GoldFrom(feedback, answerField is null ? null : generated[answerField]);
            if (gold is null || inputs.Count == 0) continue;
            inputName ??= inputs.Count == 1 ? inputs.Keys.First() : null;
            outputName ??= answerField;
            cases.Add(new Case(string.Join("\n", inputs.Values), gold));
        }
        var instruction = Induce(current, cases, inputName, outputName, rng, temperature);
        return "```\n" + instruction + "\n```";
    }

    /// <summary>Fills <c>proposed_instruction</c> for MIPROv2/COPRO-style proposal signatures; null if not one.</summary>
    public static SimSolution? TryPropose(SimPrompt prompt, SimRandom rng, double temperature)
    {
        if (!prompt.OutputFields.Any(f => f.Name == "proposed_instruction")) return null;
        var basic = prompt.Inputs.GetValueOrDefault("basic_instruction") ?? prompt.Inputs.GetValueOrDefault("instruction")
            ?? BestAttempts(SimText.UnwrapList(prompt.Inputs.GetValueOrDefault("attempted_instructions") ?? "")) ?? "";
        var cases = new List<Case>();
        string? inputName = null, outputName = null;
        // MIPROv2's task_demos and COPRO's opt-in examples (BasicGenerateInstructionWithExamples) share the Prefix: value layout.
        var demos = prompt.Inputs.GetValueOrDefault("task_demos") ?? prompt.Inputs.GetValueOrDefault("examples") ?? "";
        foreach (var pairs in DemoGroups(demos))
        {
            if (pairs.Count < 2) continue;
            var output = pairs[^1];
            var ins = pairs.Take(pairs.Count - 1).Where(p => !p.Key.Equals("Reasoning", StringComparison.OrdinalIgnoreCase)).ToList();
            if (ins.Count == 0) continue;
            inputName ??= ins.Count == 1 ? FieldName(ins[0].Key) : null;
            outputName ??= FieldName(output.Key);
            cases.Add(new Case(string.Join("\n", ins.Select(p => p.Value.Trim())), output.Value.Trim()));
        }
        // Without examples (DSPy's COPRO prompts) there is nothing to induce from: the simulator knows no task, so it keeps the
        // instruction (and the rules of the attempts it merged) as it is.
        var instruction = Induce(basic, cases, inputName, outputName, rng, temperature);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var f in prompt.OutputFields)
        {
            values[f.Name] = f.Name switch
            {
                "proposed_instruction" => instruction,
                "proposed_prefix_for_output_field" => outputName is null ? "Answer:" : Title(outputName) + ":",
                _ when f.IsReasoning => $"I looked at {cases.Count} examples and wrote rules for the phrases that decide their answers.",
                _ => SimValues.Empty(f),
            };
        }
        return new SimSolution(values, "");
    }

    /// <summary>
    /// Splits MIPROv2's <c>task_demos</c> (<c>Prefix: value</c> lines per field, demos one after another, with or
    /// without blank lines between them) into demos: a demo starts whenever the first demo's first prefix comes again.
    /// </summary>
    internal static List<List<(string Key, string Value)>> DemoGroups(string taskDemos)
    {
        var groups = new List<List<(string Key, string Value)>>();
        string? firstKey = null;
        foreach (var line in taskDemos.Split('\n'))
        {
            var m = PrefixLineRegex().Match(line);
            if (m.Success)
            {
                var key = m.Groups["prefix"].Value.Trim();
                firstKey ??= key;
                if (key == firstKey || groups.Count == 0) groups.Add([]);
                groups[^1].Add((key, m.Groups["value"].Value));
            }
            else if (groups.Count > 0 && groups[^1].Count > 0)
            {
                var last = groups[^1][^1];
                groups[^1][^1] = (last.Key, last.Value + "\n" + line);
            }
        }
        return groups.Select(g => g.Select(p => (p.Key, p.Value.Trim())).ToList()).ToList();
    }

    /// <summary>
    /// COPRO's attempt history (<c>Instruction #i: ...</c>, <c>Prefix #i: ...</c>, <c>Resulting Score #i: ...</c>):
    /// the best-scoring instruction, with the rules of the runner-up added (a crossover of the two best).
    /// </summary>
    internal static string? BestAttempts(string attempts)
    {
        var found = AttemptRegex().Matches(attempts)
            .Select(m => (Text: m.Groups["text"].Value.Trim(), Score: SimText.TryParseNumber(m.Groups["score"].Value, out var v) ? v : double.NegativeInfinity))
            .OrderByDescending(a => a.Score).ToList();
        if (found.Count == 0) return null;
        var best = found[0].Text;
        if (found.Count == 1) return best;
        var extra = found[1].Text.Split('\n')
            .Where(l => SimRuleParser.TryParseRule(l) is not null && !best.Contains(l.Trim(), StringComparison.Ordinal))
            .Select(l => l.Trim()).ToList();
        return extra.Count == 0 ? best : best + "\n" + string.Join("\n", extra);
    }

    /// <summary>Keeps the current instruction and its rules, and adds a rule for each case the rules get wrong.</summary>
    internal static string Induce(string current, IReadOnlyList<Case> cases, string? inputName, string? outputName, SimRandom rng, double temperature)
    {
        var existing = SimRuleParser.Parse(current);
        var prose = new List<string>();
        var ruleLines = new List<string>();
        foreach (var line in current.Split('\n'))
        {
            var isRule = SimRuleParser.Sentences(line).Any(s => SimRuleParser.TryParseRule(s) is not null);
            (isRule ? ruleLines : prose).Add(line.TrimEnd());
        }
        var keys = cases.Select(c => KeyOf(c)).ToList();
        var newRules = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            if (AlreadyRight(existing, c)) continue;
            var phrase = BestPhrase(cases, keys, i, rng, temperature);
            if (phrase is null) continue;
            var subject = inputName is null ? "input" : inputName;
            var consequence = keys[i].StartsWith("expr:", StringComparison.Ordinal)
                ? $"compute {keys[i][5..]}"
                : outputName is null ? $"answer {c.Gold}" : $"{outputName} is {c.Gold}";
            var rule = $"If the {subject} mentions \"{phrase}\", {consequence}.";
            // A newer rule for the same phrase replaces an older one.
            ruleLines.RemoveAll(l => l.Contains($"\"{phrase}\"", StringComparison.Ordinal));
            if (!newRules.Contains(rule, StringComparer.Ordinal)) newRules.Add(rule);
        }
        var text = string.Join("\n", prose).Trim();
        var rules = ruleLines.Concat(newRules).Where(l => l.Trim().Length > 0).ToList();
        if (text.Length == 0) text = "Answer the task using the rules below.";
        return rules.Count == 0 ? text : text + "\n\n" + string.Join("\n", rules);
    }

    private static string KeyOf(Case c)
    {
        var numbers = SimText.Numbers(c.Input);
        if (numbers.Count > 0 && SimText.TryParseNumber(c.Gold, out var answer))
        {
            var fits = SimExpression.Fit(numbers, answer);
            if (fits.Count > 0) return "expr:" + fits[0];
        }
        return "label:" + c.Gold;
    }

    private static bool AlreadyRight(SimRuleSet rules, Case c)
    {
        var matched = rules.Rules.Where(r => !r.IsDefault && r.Match(c.Input) is not null).OrderByDescending(r => r.Specificity).FirstOrDefault();
        if (matched is null) return false;
        if (matched.Value is { } v) return string.Equals(v, c.Gold, StringComparison.OrdinalIgnoreCase);
        if (matched.Expression is { } e && SimText.TryParseNumber(c.Gold, out var gold))
        {
            var numbers = SimText.Numbers(c.Input);
            if (e.StartsWith("chain ", StringComparison.Ordinal)) e = SimExpression.Chain(numbers.Count, e[^1]);
            return SimExpression.TryEvaluate(e, numbers, out var r) && Math.Abs(r - gold) < 1e-6;
        }
        return false;
    }

    /// <summary>The most distinctive phrase of case <paramref name="index"/>: shared with cases of the same answer,
    /// absent from cases of other answers, made of content words (no numbers, no names).</summary>
    private static string? BestPhrase(IReadOnlyList<Case> cases, List<string> keys, int index, SimRandom rng, double temperature)
    {
        var scored = new Dictionary<string, double>(StringComparer.Ordinal);
        // Phrases never cross punctuation: a clause boundary usually separates the signal from filler.
        foreach (var segment in ClauseRegex().Split(cases[index].Input))
        {
            var words = SimText.Words(segment);
            for (var n = 1; n <= 4; n++)
            {
                for (var s = 0; s + n <= words.Count; s++)
                {
                var gram = words.Skip(s).Take(n).ToList();
                if (gram.Any(w => w.Any(char.IsDigit) || (char.IsUpper(w[0]) && w != "I" && s > 0))) continue;
                var lower = gram.Select(w => w.ToLowerInvariant()).ToList();
                var content = lower.Count(w => !SimText.StopWords.Contains(w) && !Filler.Contains(w));
                if (content == 0) continue;
                var phrase = string.Join(' ', lower);
                if (scored.ContainsKey(phrase)) continue;
                var conflict = false;
                var support = 0;
                for (var j = 0; j < cases.Count; j++)
                {
                    if (!SimText.Mentions(cases[j].Input, phrase)) continue;
                    if (keys[j] == keys[index]) support++;
                    else conflict = true;
                }
                if (conflict) continue;
                var boundaryStops = (SimText.StopWords.Contains(lower[0]) ? 1 : 0) + (SimText.StopWords.Contains(lower[^1]) ? 1 : 0);
                scored[phrase] = support * 10 + content * 3 + Math.Min(n, 3) - (n > 3 ? 2 : 0) - boundaryStops * 2;
                }
            }
        }
        if (scored.Count == 0) return null;
        var ranking = scored.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (temperature <= 0 || ranking.Count == 1) return ranking[0].Key;
        var top = ranking.Take(3).ToList();
        var weights = top.Select(kv => Math.Exp((kv.Value - top[0].Value) / (2.0 * temperature))).ToList();
        var x = rng.NextDouble() * weights.Sum();
        for (var i = 0; i < top.Count; i++)
        {
            x -= weights[i];
            if (x < 0) return top[i].Key;
        }
        return top[^1].Key;
    }

    /// <summary>Reads the correct answer from feedback text; a fully-correct score means the generated answer was right.</summary>
    internal static string? GoldFrom(string feedback, string? generated)
    {
        var m = GoldRegex().Match(feedback);
        if (!m.Success) m = ShouldBeRegex().Match(feedback);
        if (m.Success)
        {
            var v = m.Groups["v"].Value.Trim().Trim('`', '"', '\'', '“', '”').Trim();
            if (v.Length > 0) return v;
        }
        var lower = feedback.ToLowerInvariant();
        var correct = lower.Contains("score of 1.0", StringComparison.Ordinal) || lower.Contains("score of 1 ", StringComparison.Ordinal)
            || (lower.Contains("correct", StringComparison.Ordinal) && !lower.Contains("incorrect", StringComparison.Ordinal) && !lower.Contains("not correct", StringComparison.Ordinal));
        return correct ? generated?.Trim() : null;
    }

    private static Dictionary<string, string> Sections(string text, string heading)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var sb = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(heading, StringComparison.Ordinal) && !line.StartsWith(heading + "#", StringComparison.Ordinal))
            {
                if (name is not null) result[name] = sb.ToString().Trim();
                name = line[heading.Length..].Trim();
                sb.Clear();
            }
            else if (name is not null)
            {
                sb.Append(line).Append('\n');
            }
        }
        if (name is not null) result[name] = sb.ToString().Trim();
        return result;
    }

    private static List<int> AllIndexes(string text, string token)
    {
        var list = new List<int>();
        for (var i = text.IndexOf(token, StringComparison.Ordinal); i >= 0; i = text.IndexOf(token, i + token.Length, StringComparison.Ordinal)) list.Add(i);
        return list;
    }

    private static string FieldName(string prefix) => prefix.Trim().ToLowerInvariant().Replace(' ', '_');

    private static string Title(string name) => string.Join(' ', name.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
}
