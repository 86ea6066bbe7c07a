using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>
/// DSPy's DPR <c>SimpleTokenizer</c> (<c>dspy/dsp/utils/dpr.py</c>): after NFD, a token is a run of letters, numbers and
/// marks (<c>[\p{L}\p{N}\p{M}]+</c>) or any single character that is neither a separator nor a control/format/other
/// character (<c>[^\p{Z}\p{C}]</c>). Works on code points, as Python's <c>regex</c> does.
/// </summary>
internal static class DprTokenizer
{
    /// <summary>DSPy's <c>DPR_normalize</c>: the lowercased tokens of <paramref name="text"/>.</summary>
    public static List<string> Normalize(string text) => Tokenize(text).Select(PythonText.Lower).ToList();

    /// <summary>DSPy's <c>DPR_tokenize(text).words()</c>.</summary>
    public static List<string> Tokenize(string text)
    {
        var runes = text.Normalize(NormalizationForm.FormD).EnumerateRunes().ToArray();
        var tokens = new List<string>();
        var i = 0;
        while (i < runes.Length)
        {
            if (IsAlphaNumMark(runes[i]))
            {
                var sb = new StringBuilder();
                while (i < runes.Length && IsAlphaNumMark(runes[i])) sb.Append(runes[i++].ToString());
                tokens.Add(sb.ToString());
            }
            else
            {
                if (!IsSeparatorOrOther(runes[i])) tokens.Add(runes[i].ToString());
                i++;
            }
        }
        return tokens;
    }

    /// <summary>DSPy's <c>has_answer</c>: is any tokenized answer a contiguous run of the text's tokens?</summary>
    public static bool HasAnswer(IEnumerable<List<string>> tokenizedAnswers, string text)
    {
        var words = Normalize(text);
        foreach (var answer in tokenizedAnswers)
        {
            for (var i = 0; i <= words.Count - answer.Count; i++)
            {
                var match = true;
                for (var k = 0; k < answer.Count && match; k++) match = words[i + k] == answer[k];
                if (match) return true;
            }
        }
        return false;
    }

    private static bool IsAlphaNumMark(Rune r) => CharUnicodeInfoCategory(r) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        _ => false,
    };

    private static bool IsSeparatorOrOther(Rune r) => CharUnicodeInfoCategory(r) switch
    {
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned => true,
        _ => false,
    };

    private static UnicodeCategory CharUnicodeInfoCategory(Rune r) => Rune.GetUnicodeCategory(r);
}
