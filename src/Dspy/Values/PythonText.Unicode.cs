using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>
/// Python string semantics the metrics depend on, over Unicode code points (not UTF-16 units): <c>str.lower()</c>
/// (full mapping of U+0130 and the Final_Sigma rule), <c>str.isspace()</c>/<c>str.split()</c>, and the <c>\w</c> word
/// characters of Python's <c>re</c> (<c>str.isalnum()</c> plus <c>_</c>; combining marks are not word characters).
/// </summary>
public static partial class PythonText
{
    /// <summary>Python's <c>str.lower()</c>.</summary>
    public static string Lower(string s)
    {
        var runes = s.EnumerateRunes().ToArray();
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < runes.Length; i++)
        {
            var r = runes[i];
            if (r.Value == 0x0130) sb.Append("i\u0307");
            else if (r.Value == 0x03A3) sb.Append(IsFinalSigma(runes, i) ? '\u03C2' : '\u03C3');
            else sb.Append(Rune.ToLowerInvariant(r).ToString());
        }
        return sb.ToString();
    }

    // Final_Sigma: a cased letter (skipping case-ignorables) before, and no cased letter (skipping case-ignorables) after.
    private static bool IsFinalSigma(Rune[] runes, int i)
    {
        var j = i - 1;
        while (j >= 0 && IsCaseIgnorable(runes[j])) j--;
        if (j < 0 || !IsCased(runes[j])) return false;
        j = i + 1;
        while (j < runes.Length && IsCaseIgnorable(runes[j])) j++;
        return j == runes.Length || !IsCased(runes[j]);
    }

    private static bool IsCased(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r)
    {
        switch (Rune.GetUnicodeCategory(r))
        {
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
                or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol:
                return true;
        }
        // Word_Break MidLetter, MidNumLet and Single_Quote characters.
        return r.Value is '\'' or '.' or ':' or 0x00B7 or 0x0387 or 0x055F or 0x05F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
    }

    /// <summary>Python's <c>str.split()</c> with no separator: runs of whitespace split, empty parts dropped.</summary>
    public static List<string> Split(string s)
    {
        var parts = new List<string>();
        var start = -1;
        for (var i = 0; i < s.Length; i++)
        {
            if (IsSpace(s[i]))
            {
                if (start >= 0) parts.Add(s[start..i]);
                start = -1;
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        if (start >= 0) parts.Add(s[start..]);
        return parts;
    }

    /// <summary>A character of Python's Unicode <c>\w</c>: a letter or number (<c>str.isalnum()</c>) or <c>_</c>.</summary>
    public static bool IsWord(Rune r) => r.Value == '_' || Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
        _ => false,
    };
}
