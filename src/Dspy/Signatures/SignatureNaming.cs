using System.Text;

namespace Dspy;

/// <summary>Naming rules shared by signatures: DSPy's <c>infer_prefix</c> and C#-to-snake_case field names.</summary>
public static class SignatureNaming
{
    /// <summary>
    /// DSPy's <c>infer_prefix</c>: splits snake_case, camelCase, acronyms and digit runs into Title Case words.
    /// <c>someAttributeName42IsCool</c> gives <c>Some Attribute Name 42 Is Cool</c>; <c>URLAddress</c> gives <c>URL Address</c>.
    /// </summary>
    public static string InferPrefix(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Step 1: a lower/digit followed by Upper+lower starts a word; step 2: lower/digit then Upper.
        var s1 = System.Text.RegularExpressions.Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        var intermediate = System.Text.RegularExpressions.Regex.Replace(s1, "([a-z0-9])([A-Z])", "$1_$2");
        // Step 3: insert separators between letters and digits.
        var sb = new StringBuilder();
        for (var i = 0; i < intermediate.Length; i++)
        {
            var c = intermediate[i];
            if (i > 0)
            {
                var p = intermediate[i - 1];
                if ((char.IsAsciiLetter(p) && char.IsAsciiDigit(c)) || (char.IsAsciiDigit(p) && char.IsAsciiLetter(c)))
                    sb.Append('_');
            }
            sb.Append(c);
        }
        // Python's str.split keeps empty pieces, so doubled underscores give doubled spaces.
        var words = sb.ToString().Split('_');
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            // Words that are all upper case (acronyms) stay as they are; others are capitalised.
            words[i] = w.Length == 0 || !w.Any(char.IsLower) ? w : char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant();
        }
        return string.Join(' ', words);
    }

    /// <summary>Turns a C# member name into the snake_case name used in prompts: <c>QuestionText</c> gives <c>question_text</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var prevLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var acronymEnd = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (prevLowerOrDigit || acronymEnd) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Python's <c>inspect.cleandoc</c>: expands tabs, strips the first line's leading whitespace and the common
    /// indentation of the following lines, then drops leading and trailing blank lines.
    /// </summary>
    public static string CleanDoc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n').Select(ExpandTabs).ToList();
        var margin = int.MaxValue;
        foreach (var line in lines.Skip(1))
        {
            var content = line.TrimStart().Length;
            if (content > 0) margin = Math.Min(margin, line.Length - content);
        }
        if (lines.Count > 0) lines[0] = lines[0].TrimStart();
        if (margin < int.MaxValue)
        {
            for (var i = 1; i < lines.Count; i++) lines[i] = lines[i].Length > margin ? lines[i][margin..] : "";
        }
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        while (lines.Count > 0 && lines[0].Length == 0) lines.RemoveAt(0);
        return string.Join('\n', lines);
    }

    // str.expandtabs(8): a tab moves to the next multiple of 8 columns.
    private static string ExpandTabs(string line)
    {
        if (!line.Contains('\t', StringComparison.Ordinal)) return line;
        var sb = new StringBuilder();
        foreach (var c in line)
        {
            if (c == '\t') sb.Append(' ', 8 - (sb.Length % 8));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
