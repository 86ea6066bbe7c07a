using System.Globalization;

namespace Dspy;

// The zero-knowledge side of the solver: what it answers with no rule and no demo close enough (docs/sim.md, "prior").
internal sealed partial class SimSolver
{
    /// <summary>How much the keyword prior counts next to demo similarity (a cosine in [0, 1]).</summary>
    private const double PriorWeight = 0.2;

    /// <summary>Per choice: the fraction of its words (crudely stemmed) that appear in the input.</summary>
    private static List<double> PriorScores(IReadOnlyList<string> choices, string query)
    {
        var stems = SimText.Tokens(query).Select(SimText.Stem).ToHashSet(StringComparer.Ordinal);
        return choices.Select(c =>
        {
            var words = SimText.LabelWords(c);
            return words.Count == 0 ? 0 : words.Count(w => stems.Contains(SimText.Stem(w))) / (double)words.Count;
        }).ToList();
    }

    /// <summary>The zero-knowledge guess: label words found in the text, the sum of all numbers, or an echo.</summary>
    private static (object?, string) Prior(SimField field, string query, SimRandom rng, double temperature)
    {
        switch (field.Kind)
        {
            case SimValueKind.Choice when field.Choices.Count > 0:
            {
                var scores = PriorScores(field.Choices, query);
                var pick = field.Choices[PickScore(scores, rng, temperature, query, minTemperature: 0.05)];
                return (pick, scores.Max() > 0
                    ? $"The words of \"{pick}\" appear in the input, so I guess {pick}."
                    : $"Nothing in the input points to a choice, so I guess {pick}.");
            }
            case SimValueKind.Int or SimValueKind.Float:
            case SimValueKind.Str when SimText.Numbers(query).Count > 1:
            {
                var numbers = SimText.Numbers(query);
                if (temperature > 0 && GuessPattern(numbers.Count, rng, temperature) is { } guess
                    && SimExpression.TryEvaluate(guess, numbers, out var guessed))
                {
                    return (SimValues.Number(field, guessed),
                        $"Without a known method I try {SimExpression.Substitute(guess, numbers)} = {SimText.FormatNumber(guessed)}.");
                }
                var sum = numbers.Sum();
                return (SimValues.Number(field, sum), numbers.Count == 0
                    ? "There are no numbers in the input, so I answer 0."
                    : $"Without a known method I add up the numbers: {SimExpression.Substitute(SimExpression.SumAll(numbers.Count), numbers)} = {SimText.FormatNumber(sum)}.");
            }
            case SimValueKind.Bool:
            {
                var b = rng.Chance(0.5);
                return (b, $"I could not tell, so I guess {(b ? "True" : "False")}.");
            }
            case SimValueKind.List when !ListsText(field):
                // Key words are text: a list of numbers or records gets an empty list, not strings that fail validation.
                return (new List<object?>(), "I found nothing to list.");
            case SimValueKind.List:
                return (SimText.Words(query).Where(w => !SimText.StopWords.Contains(w.ToLowerInvariant())).Take(3).Cast<object?>().ToList(),
                    "I list the first key words of the input.");
            case SimValueKind.Object:
                return (SimValues.Empty(field), "I fill in the structure with empty values.");
            default:
            {
                var firstLine = query.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
                var words = firstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(20);
                return (string.Join(' ', words), "I restate the key part of the input.");
            }
        }
    }

    /// <summary>
    /// At temperature T &gt; 0 a numeric guess without demos or rules is sampled, as a sampled LM's would vary: adding all
    /// numbers keeps weight 1, each other catalogue pattern of the same arity weight (1/k)^(1/T) for k such patterns (so
    /// at T = 1 half the draws add, the rest spread over the other patterns). Null means add (greedy, or nothing else to try).
    /// Without this every rollout of a question gets the same answer and SIMBA-style optimizers see no variance.
    /// </summary>
    private static string? GuessPattern(int arity, SimRandom rng, double temperature)
    {
        var sum = SimExpression.SumAll(arity);
        var others = SimExpression.Candidates(arity).Where(e => e != sum).ToList();
        if (others.Count == 0) return null;
        var weights = new List<double> { 1 };
        weights.AddRange(others.Select(_ => Math.Pow(1.0 / others.Count, 1.0 / temperature)));
        var i = SampleIndex(weights, rng);
        return i == 0 ? null : others[i - 1];
    }

    /// <summary>True for a list whose items are text (<c>list</c>, <c>list[str]</c>, <c>set[str]</c>, ...).</summary>
    private static bool ListsText(SimField field)
    {
        var t = field.TypeName.Replace(" ", "", StringComparison.Ordinal);
        var open = t.IndexOf('[', StringComparison.Ordinal);
        return open < 0 || t[(open + 1)..].TrimEnd(']') is "str" or "str,...";
    }
}
