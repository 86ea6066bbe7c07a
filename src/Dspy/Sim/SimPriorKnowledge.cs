using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// What the simulator "knows" without examples, as a proposal LM: a few generic English cue words of arithmetic word
/// problems, written as operator hints in its rule grammar. COPRO's proposer prompts show no examples, so this is all the
/// simulator can add to an instruction there; at temperature &gt; 0 each hint is included with probability 1/2, so
/// COPRO's completions differ and its evaluations decide which hints help. The hints mention no task's answers.
/// </summary>
internal static partial class SimPriorKnowledge
{
    /// <summary>The cue hints, one rule each (docs/sim.md, "As a proposal / reflection LM").</summary>
    internal static IReadOnlyList<string> CueHints { get; } =
    [
        "\"taller\" or \"older\" means subtract.",
        "\"left\" means subtract.",
        "\"in each\" means multiply.",
        "\"shared equally\" means divide.",
    ];

    /// <summary>Adds a random subset of the cue hints that <paramref name="instruction"/> does not state yet.</summary>
    public static string AddCueHints(string instruction, SimRandom rng)
    {
        var added = CueHints.Where(h => rng.Chance(0.5) && !instruction.Contains(h, StringComparison.Ordinal)).ToList();
        if (added.Count == 0) return instruction;
        return instruction.TrimEnd() + "\n" + string.Join("\n", added);
    }

    /// <summary>
    /// Undoes the adapters' rendering of a list in a text field (<c>[1] «a»</c> lines, or <c>«««</c> blocks with
    /// 4-space-indented lines for multi-line items), giving the items one after another; other text is returned as is.
    /// </summary>
    public static string UnwrapList(string text)
    {
        var items = ListItemRegex().Matches(text);
        if (items.Count == 0) return text;
        return string.Join("\n", items.Select(m => m.Groups["one"].Success
            ? m.Groups["one"].Value
            : string.Join("\n", m.Groups["block"].Value.Split('\n').Select(l => l.StartsWith("    ", StringComparison.Ordinal) ? l[4..] : l))));
    }

    [GeneratedRegex(@"^\[\d+\] (?:«««\n(?<block>.*?)\n»»»|«(?<one>[^\n]*)»)$", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex ListItemRegex();
}
