using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// Python's string primitives that prompt formats depend on: <c>str.strip()</c>, <c>str.splitlines()</c>,
/// <c>textwrap.dedent</c> and <c>str.title()</c>, with Python's exact character classes.
/// </summary>
public static partial class PythonText
{
    /// <summary>True for the characters Python's <c>str.isspace()</c> accepts.</summary>
    public static bool IsSpace(char c) => c switch
    {
        ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or '\x1c' or '\x1d' or '\x1e' or '\x1f' or '\x85' or '\xa0' => true,
        '\u1680' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        _ => c >= '\u2000' && c <= '\u200a',
    };

    /// <summary>Python's <c>str.strip()</c> with no arguments.</summary>
    public static string Strip(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var start = 0;
        var end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary>Python's <c>str.lstrip()</c> with no arguments.</summary>
    public static string LStrip(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var start = 0;
        while (start < s.Length && IsSpace(s[start])) start++;
        return s[start..];
    }

    /// <summary>True when Python's <c>str.isspace()</c> holds: non-empty and all whitespace.</summary>
    public static bool IsAllSpace(string s) => s.Length > 0 && s.All(IsSpace);

    private static bool IsLineBreak(char c) =>
        c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029';

    /// <summary>Python's <c>str.splitlines()</c>: splits on every Unicode line boundary, <c>\r\n</c> counting once; no trailing empty line.</summary>
    public static List<string> SplitLines(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var lines = new List<string>();
        var start = 0;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (IsLineBreak(c))
            {
                lines.Add(s[start..i]);
                i += c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
                start = i;
            }
            else
            {
                i++;
            }
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    [GeneratedRegex("^[ \t]+$", RegexOptions.Multiline)]
    private static partial Regex WhitespaceOnlyLine();

    [GeneratedRegex("(^[ \t]*)(?:[^ \t\n])", RegexOptions.Multiline)]
    private static partial Regex LeadingWhitespace();

    /// <summary>
    /// Python's <c>textwrap.dedent</c>: lines holding only spaces and tabs become empty, then the longest
    /// common leading whitespace of the remaining lines is removed from each of them.
    /// </summary>
    public static string Dedent(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = WhitespaceOnlyLine().Replace(text, "");
        string? margin = null;
        foreach (Match m in LeadingWhitespace().Matches(text))
        {
            var indent = m.Groups[1].Value;
            if (margin is null)
            {
                margin = indent;
            }
            else if (indent.StartsWith(margin, StringComparison.Ordinal))
            {
                // The current line is at least as deep as the margin: keep the margin.
            }
            else if (margin.StartsWith(indent, StringComparison.Ordinal))
            {
                margin = indent;
            }
            else
            {
                // Mixed spaces and tabs: the margin is the common prefix.
                var n = 0;
                while (n < margin.Length && n < indent.Length && margin[n] == indent[n]) n++;
                margin = margin[..n];
            }
        }
        if (string.IsNullOrEmpty(margin)) return text;
        var sb = new StringBuilder(text.Length);
        var lineStart = 0;
        while (lineStart <= text.Length)
        {
            var nl = text.IndexOf('\n', lineStart);
            var line = nl < 0 ? text[lineStart..] : text[lineStart..nl];
            sb.Append(line.StartsWith(margin, StringComparison.Ordinal) ? line[margin.Length..] : line);
            if (nl < 0) break;
            sb.Append('\n');
            lineStart = nl + 1;
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.title()</c>: a letter after a cased letter is lower-cased, any other letter upper-cased.</summary>
    public static string Title(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var sb = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            if (char.IsLetter(c))
            {
                sb.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
                previousCased = char.IsUpper(c) || char.IsLower(c) || char.IsLetter(c);
            }
            else
            {
                sb.Append(c);
                previousCased = false;
            }
        }
        return sb.ToString();
    }
}
