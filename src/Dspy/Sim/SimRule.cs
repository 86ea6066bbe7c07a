namespace Dspy;

/// <summary>
/// One rule read from the instructions. A conditional rule fires when its input mentions its phrases; a default rule
/// (<c>Otherwise, answer X.</c>) fires when nothing else decides. The consequence is a value or an arithmetic pattern.
/// </summary>
internal sealed record SimRule
{
    /// <summary>The input field the rule looks at, or <see langword="null"/> for all inputs.</summary>
    public string? Field { get; init; }

    /// <summary>The phrases; empty for a default rule.</summary>
    public IReadOnlyList<string> Phrases { get; init; } = [];

    /// <summary>True if every phrase must appear (<c>"a" and "b"</c>), false if any one suffices.</summary>
    public bool RequireAll { get; init; }

    /// <summary>The output field the rule sets, or <see langword="null"/> for the first (non-reasoning) output.</summary>
    public string? Target { get; init; }

    /// <summary>The value to answer, when the consequence is a value.</summary>
    public string? Value { get; init; }

    /// <summary>The arithmetic pattern to compute, when the consequence is <c>compute ...</c>.</summary>
    public string? Expression { get; init; }

    /// <summary>The instruction line the rule came from, for the reasoning text.</summary>
    public string Source { get; init; } = "";

    /// <summary>True for <c>Otherwise ...</c> rules.</summary>
    public bool IsDefault => Phrases.Count == 0;

    /// <summary>How specific the rule is: the words in its longest phrase (a longer phrase wins over a shorter one).</summary>
    public int Specificity => Phrases.Count == 0 ? 0 : Phrases.Max(p => SimText.Tokens(p).Count) + (RequireAll ? Phrases.Count - 1 : 0);

    /// <summary>The phrase that made the rule fire on <paramref name="text"/>, or <see langword="null"/>.</summary>
    public string? Match(string text)
    {
        if (IsDefault) return null;
        if (RequireAll) return Phrases.All(p => SimText.Mentions(text, p)) ? string.Join("\" and \"", Phrases) : null;
        return Phrases.Where(p => SimText.Mentions(text, p)).OrderByDescending(p => SimText.Tokens(p).Count).FirstOrDefault();
    }
}

/// <summary>The rules of one prompt plus its global style rules.</summary>
internal sealed record SimRuleSet(IReadOnlyList<SimRule> Rules, SimCase Case)
{
    /// <summary>No rules.</summary>
    public static SimRuleSet Empty { get; } = new([], SimCase.AsIs);
}

/// <summary>A letter-case rule for text answers.</summary>
internal enum SimCase
{
    AsIs,
    Lower,
    Upper,
}
