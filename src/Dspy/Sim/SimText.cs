using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>Text helpers shared by the simulator's similarity, rules and proposer: tokens, phrases, numbers.</summary>
internal static partial class SimText
{
    /// <summary>Function words that carry no signal on their own.</summary>
    internal static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "to", "of", "and", "or", "i", "my", "me", "you", "your", "is", "it", "its", "for", "in", "on",
        "at", "by", "with", "from", "be", "are", "was", "were", "am", "do", "does", "did", "this", "that", "these",
        "those", "there", "their", "they", "he", "she", "his", "her", "we", "our", "us", "so", "but", "if", "as", "into",
        "about", "what", "how", "which", "who", "when", "where", "why", "can", "could", "would", "will", "should",
        "please", "hi", "hello", "hey", "thanks", "thank", "just", "some", "any", "all", "them", "has", "have", "had",
        "not", "no", "yes", "up", "out", "get", "need", "want", "like", "also", "then", "than", "too", "very",
        "it's", "i'm", "i'd", "i've", "that's",
        // Conversational filler (greetings, politeness, urgency) that an LM reads past: without these, two messages
        // that merely open with "quick question" or close with "thank you" would look alike.
        "good", "morning", "excuse", "quick", "question", "possible", "asap", "today", "help",
    };

    [GeneratedRegex(@"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")]
    private static partial Regex SnakeCaseRegex();

    /// <summary>True for a snake_case identifier of at least two words (<c>book_flight</c>), the usual label style.</summary>
    public static bool IsSnakeCaseLabel(string text) => SnakeCaseRegex().IsMatch(text);

    [GeneratedRegex(@"-?\d+(?:\.\d+)?")]
    private static partial Regex NumberRegex();

    [GeneratedRegex(@"[A-Za-z0-9']+")]
    private static partial Regex WordRegex();

    /// <summary>Lower-cased word tokens; every number becomes <c>#</c> so that templates match whatever the numbers.</summary>
    public static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        foreach (Match m in WordRegex().Matches(text))
        {
            var w = m.Value.Trim('\'').ToLowerInvariant();
            if (w.Length == 0) continue;
            tokens.Add(char.IsAsciiDigit(w[0]) ? "#" : w);
        }
        return tokens;
    }

    /// <summary>The words of <paramref name="text"/> as written (case kept), for phrase mining.</summary>
    public static List<string> Words(string text) => WordRegex().Matches(text).Select(m => m.Value.Trim('\'')).Where(w => w.Length > 0).ToList();

    /// <summary>Lower case, punctuation to spaces, single spaces, padded with one space on each side.</summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append(' ');
        var space = true;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c == '\'')
            {
                sb.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else if (!space)
            {
                sb.Append(' ');
                space = true;
            }
        }
        if (!space) sb.Append(' ');
        return sb.ToString();
    }

    /// <summary>True if <paramref name="phrase"/> occurs in <paramref name="text"/> as whole words, ignoring case and punctuation.</summary>
    public static bool Mentions(string text, string phrase)
    {
        var p = Normalize(phrase);
        return p.Trim().Length > 0 && Normalize(text).Contains(p, StringComparison.Ordinal);
    }

    /// <summary>All numbers in order of appearance.</summary>
    public static List<double> Numbers(string text) =>
        NumberRegex().Matches(text).Select(m => double.Parse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Parses a number the way a model's answer is read: optional $ and commas, nothing else.</summary>
    public static bool TryParseNumber(string text, out double value)
    {
        var t = text.Trim().TrimStart('$').Replace(",", "", StringComparison.Ordinal);
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>Renders a number: integral values without a decimal point, others as Python's float repr.</summary>
    public static string FormatNumber(double value) =>
        Math.Abs(value - Math.Round(value)) < 1e-9 && Math.Abs(value) < 1e15
            ? ((long)Math.Round(value)).ToString(CultureInfo.InvariantCulture)
            : PythonFloat.Repr(value);

    /// <summary>The words of a label name (<c>book_flight</c> → <c>book</c>, <c>flight</c>).</summary>
    public static List<string> LabelWords(string label) =>
        Tokens(label.Replace('_', ' ').Replace('-', ' ')).Where(t => t != "#").ToList();

    /// <summary>A crude stem: the first five letters, so <c>booking</c> and <c>booked</c> meet <c>book</c>.</summary>
    public static string Stem(string word) => word.Length <= 5 ? word.TrimEnd('s') : word[..5];

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
