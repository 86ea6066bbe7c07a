using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// Reads rules in the simulator's grammar out of free-form instructions (docs/sim.md, "Rule grammar"). Sentences that
/// are not rules are ignored, so rules can sit inside ordinary prose.
/// </summary>
internal static partial class SimRuleParser
{
    [GeneratedRegex(@"^(?:if|when|whenever)\s+(?:the\s+)?(?:`?(?<field>\w+)`?\s+)?(?:field\s+)?(?<verb>mentions|contains|includes|says|uses|has|refers to|talks about)\s+(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ConditionalRegex();

    [GeneratedRegex(@"^(?<phrases>(?:""[^""]+""|'[^']+'|“[^”]+”)(?:\s*(?:,\s*or|,\s*and|,|or|and)\s*(?:""[^""]+""|'[^']+'|“[^”]+”))*)\s*,?\s*(?:then\s+)?(?<cons>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex PhrasesThenConsequenceRegex();

    [GeneratedRegex(@"""([^""]+)""|'([^']+)'|“([^”]+)”")]
    private static partial Regex QuotedRegex();

    [GeneratedRegex(@"^(?:the\s+)?`?(?<out>\w+)`?\s+(?:is|should be|must be|will be|=)\s+(?<val>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FieldIsValueRegex();

    [GeneratedRegex(@"^(?:answer|respond with|reply with|output|return|label it(?: as)?|classify it as|choose|pick|say|use)\s+(?<val>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerValueRegex();

    [GeneratedRegex(@"^(?:compute|calculate|evaluate|the answer is)\s+(?<expr>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ComputeRegex();

    [GeneratedRegex(@"^(?<phrases>(?:""[^""]+""|'[^']+'|“[^”]+”)(?:\s*(?:,\s*or|,|or)\s*(?:""[^""]+""|'[^']+'|“[^”]+”))*)\s+(?:means|signals|indicates)\s+(?:to\s+)?(?<op>add|addition|sum|plus|subtract|subtraction|minus|difference|multiply|multiplication|times|product|divide|division)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OperatorHintRegex();

    [GeneratedRegex(@"^(?:otherwise|by default|if nothing else applies|if no rule applies)\s*,?\s*(?<cons>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex DefaultRegex();

    [GeneratedRegex(@"\b(?:always\s+)?(?:answer|respond|reply|write)\s+(?:only\s+)?in\s+(?<case>lower|upper)[\s-]?case\b", RegexOptions.IgnoreCase)]
    private static partial Regex CaseRegex();

    [GeneratedRegex(@"^\s*(?:[-*•]|\d+[.)])\s+")]
    private static partial Regex BulletRegex();

    /// <summary>Parses all rules in <paramref name="instructions"/>.</summary>
    public static SimRuleSet Parse(string instructions)
    {
        if (string.IsNullOrWhiteSpace(instructions)) return SimRuleSet.Empty;
        var rules = new List<SimRule>();
        var letterCase = SimCase.AsIs;
        foreach (var sentence in Sentences(instructions))
        {
            var caseMatch = CaseRegex().Match(sentence);
            if (caseMatch.Success)
            {
                letterCase = caseMatch.Groups["case"].Value.StartsWith('l') || caseMatch.Groups["case"].Value.StartsWith('L') ? SimCase.Lower : SimCase.Upper;
                continue;
            }
            if (TryParseRule(sentence) is { } rule) rules.Add(rule);
        }
        return new SimRuleSet(rules, letterCase);
    }

    /// <summary>Parses one sentence as a rule, or returns <see langword="null"/>.</summary>
    internal static SimRule? TryParseRule(string sentence)
    {
        var s = sentence.Trim().TrimEnd('.', ';').Trim();
        var hint = OperatorHintRegex().Match(s);
        if (hint.Success)
        {
            return new SimRule { Phrases = Quoted(hint.Groups["phrases"].Value), Expression = "chain " + OperatorOf(hint.Groups["op"].Value), Source = sentence.Trim() };
        }
        var def = DefaultRegex().Match(s);
        if (def.Success)
        {
            var consequence = ParseConsequence(def.Groups["cons"].Value);
            return consequence is null ? null : consequence with { Source = sentence.Trim() };
        }
        var cond = ConditionalRegex().Match(s);
        if (!cond.Success) return null;
        var pc = PhrasesThenConsequenceRegex().Match(cond.Groups["rest"].Value);
        if (!pc.Success) return null;
        var phrases = Quoted(pc.Groups["phrases"].Value);
        if (phrases.Count == 0) return null;
        var between = QuotedRegex().Replace(pc.Groups["phrases"].Value, "").ToLowerInvariant();
        var requireAll = between.Contains("and", StringComparison.Ordinal) && !between.Contains("or", StringComparison.Ordinal);
        var result = ParseConsequence(pc.Groups["cons"].Value);
        if (result is null) return null;
        var field = cond.Groups["field"].Success ? cond.Groups["field"].Value : null;
        if (field is not null && field.Equals("input", StringComparison.OrdinalIgnoreCase)) field = null;
        return result with { Field = field, Phrases = phrases, RequireAll = requireAll, Source = sentence.Trim() };
    }

    private static SimRule? ParseConsequence(string text)
    {
        var c = text.Trim().TrimEnd('.').Trim();
        var compute = ComputeRegex().Match(c);
        if (compute.Success && SimExpression.LooksLikeExpression(compute.Groups["expr"].Value.Trim()))
        {
            return new SimRule { Expression = compute.Groups["expr"].Value.Trim() };
        }
        var fieldIs = FieldIsValueRegex().Match(c);
        if (fieldIs.Success)
        {
            var value = CleanValue(fieldIs.Groups["val"].Value);
            return SimExpression.LooksLikeExpression(value)
                ? new SimRule { Target = fieldIs.Groups["out"].Value, Expression = value }
                : new SimRule { Target = fieldIs.Groups["out"].Value, Value = value };
        }
        var answer = AnswerValueRegex().Match(c);
        if (answer.Success)
        {
            var value = CleanValue(answer.Groups["val"].Value);
            return SimExpression.LooksLikeExpression(value) ? new SimRule { Expression = value } : new SimRule { Value = value };
        }
        return null;
    }

    private static string CleanValue(string value)
    {
        var v = value.Trim().TrimEnd('.').Trim();
        if (v.Length >= 2 && (v[0] is '"' or '\'' or '`' or '“') && (v[^1] is '"' or '\'' or '`' or '”')) v = v[1..^1];
        return v.Trim();
    }

    private static List<string> Quoted(string text) =>
        QuotedRegex().Matches(text).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value).ToList();

    private static string OperatorOf(string word) => word.ToLowerInvariant() switch
    {
        "add" or "addition" or "sum" or "plus" => "+",
        "subtract" or "subtraction" or "minus" or "difference" => "-",
        "multiply" or "multiplication" or "times" or "product" => "*",
        _ => "/",
    };

    /// <summary>Splits instructions into lines, and lines into sentences at ". " outside quotes.</summary>
    internal static IEnumerable<string> Sentences(string instructions)
    {
        foreach (var rawLine in instructions.Split('\n'))
        {
            var line = BulletRegex().Replace(rawLine, "");
            var sb = new StringBuilder();
            char? quote = null;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                sb.Append(c);
                if (quote is null && (c == '"' || c == '“')) quote = c == '“' ? '”' : '"';
                else if (quote == c) quote = null;
                else if (quote is null && c is '.' or ';' && i + 1 < line.Length && line[i + 1] == ' ')
                {
                    yield return sb.ToString().Trim();
                    sb.Clear();
                }
            }
            if (sb.ToString().Trim().Length > 0) yield return sb.ToString().Trim();
        }
    }
}
