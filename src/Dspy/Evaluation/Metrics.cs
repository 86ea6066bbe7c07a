using System.Collections;
using System.Text;

namespace Dspy;

/// <summary>
/// DSPy's built-in metrics (<c>dspy/evaluate/metrics.py</c>) with its SQuAD-style normalisation, plus a registry of
/// metrics by name (<see cref="Get"/>) for hosts and the CLI.
/// </summary>
public static partial class Metrics
{
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>
    /// DSPy's <c>normalize_text</c>: Unicode NFD, Python lowercase, ASCII punctuation (<c>string.punctuation</c>) removed,
    /// the words <c>a</c>, <c>an</c>, <c>the</c> replaced by a space (Python's <c>\b(a|an|the)\b</c>, where combining marks
    /// are not word characters, so the <c>the</c> of NFD "Théâtre" is a word), then whitespace collapsed.
    /// </summary>
    public static string NormalizeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = PythonText.Lower(text.Normalize(NormalizationForm.FormD));
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (!Punctuation.Contains(c, StringComparison.Ordinal)) sb.Append(c);
        }
        return string.Join(" ", PythonText.Split(RemoveArticles(sb.ToString())));
    }

    // re.sub(r"\b(a|an|the)\b", " ", text) with Python's Unicode word boundaries, scanning left to right.
    private static string RemoveArticles(string text)
    {
        var runes = text.EnumerateRunes().ToArray();
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < runes.Length)
        {
            var length = IsBoundary(runes, i) ? ArticleAt(runes, i) : 0;
            if (length > 0)
            {
                sb.Append(' ');
                i += length;
            }
            else
            {
                sb.Append(runes[i].ToString());
                i++;
            }
        }
        return sb.ToString();
    }

    private static int ArticleAt(Rune[] runes, int i)
    {
        foreach (var article in (ReadOnlySpan<string>)["a", "an", "the"])
        {
            if (i + article.Length > runes.Length) continue;
            var match = true;
            for (var k = 0; k < article.Length && match; k++) match = runes[i + k].Value == article[k];
            if (match && IsBoundary(runes, i + article.Length)) return article.Length;
        }
        return 0;
    }

    private static bool IsBoundary(Rune[] runes, int position)
    {
        var before = position > 0 && PythonText.IsWord(runes[position - 1]);
        var after = position < runes.Length && PythonText.IsWord(runes[position]);
        return before != after;
    }

    /// <summary>DSPy's <c>em_score</c>: equal after normalisation.</summary>
    public static bool EmScore(string prediction, string groundTruth) => NormalizeText(prediction) == NormalizeText(groundTruth);

    /// <summary>DSPy's <c>f1_score</c>: token F1 over whitespace tokens after normalisation (multiset overlap); 0 without overlap.</summary>
    public static double F1Score(string prediction, string groundTruth) =>
        TokenF1(PythonText.Split(NormalizeText(prediction)), PythonText.Split(NormalizeText(groundTruth)));

    /// <summary>DSPy's <c>precision_score</c>: overlapping tokens over prediction tokens; 0 without overlap.</summary>
    public static double PrecisionScore(string prediction, string groundTruth)
    {
        var p = PythonText.Split(NormalizeText(prediction));
        var same = Overlap(p, PythonText.Split(NormalizeText(groundTruth)));
        return same == 0 ? 0 : (double)same / p.Count;
    }

    /// <summary>DSPy's <c>hotpot_f1_score</c>: 0 when either side normalises to yes/no/noanswer and they differ, else token F1.</summary>
    public static double HotPotF1Score(string prediction, string groundTruth)
    {
        var p = NormalizeText(prediction);
        var g = NormalizeText(groundTruth);
        string[] special = ["yes", "no", "noanswer"];
        if ((special.Contains(p) || special.Contains(g)) && p != g) return 0;
        return TokenF1(PythonText.Split(p), PythonText.Split(g));
    }

    /// <summary>DSPy's <c>EM(prediction, answers_list)</c>: true if any answer matches exactly after normalisation.</summary>
    /// <exception cref="ArgumentException">The answer list is empty.</exception>
    public static bool EM(string prediction, IReadOnlyList<string> answers) => NonEmpty(answers).Any(a => EmScore(prediction, a));

    /// <summary>DSPy's <c>F1(prediction, answers_list)</c>: the best token F1 over the answers.</summary>
    /// <exception cref="ArgumentException">The answer list is empty.</exception>
    public static double F1(string prediction, IReadOnlyList<string> answers) => NonEmpty(answers).Max(a => F1Score(prediction, a));

    /// <summary>DSPy's <c>HotPotF1(prediction, answers_list)</c>.</summary>
    /// <exception cref="ArgumentException">The answer list is empty.</exception>
    public static double HotPotF1(string prediction, IReadOnlyList<string> answers) => NonEmpty(answers).Max(a => HotPotF1Score(prediction, a));

    /// <summary>
    /// DSPy's <c>answer_exact_match(example, pred, trace=None, frac=1.0)</c>: compares <c>pred.answer</c> with
    /// <c>example.answer</c> (a string or a list of strings); with <paramref name="frac"/> below 1 the test is
    /// best F1 &gt;= frac instead of exact match.
    /// </summary>
    /// <exception cref="ArgumentException"><c>example.answer</c> is neither a string nor a list, or <c>pred.answer</c> is not a string.</exception>
    public static bool AnswerExactMatch(Example example, Prediction prediction, object? trace = null, double frac = 1.0)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(prediction);
        var answers = Answers(example);
        var predicted = prediction["answer"] as string
            ?? throw new ArgumentException($"pred.answer must be a string, not {PythonTypeName(prediction["answer"])}.");
        return frac >= 1.0 ? EM(predicted, answers) : F1(predicted, answers) >= frac;
    }

    /// <summary>
    /// DSPy's <c>answer_passage_match(example, pred, trace=None)</c>: does any passage of <c>pred.context</c> contain an
    /// answer, as a contiguous run of DPR tokens after normalisation? (A single string context counts as one passage.)
    /// </summary>
    /// <exception cref="ArgumentException"><c>example.answer</c> is neither a string nor a list.</exception>
    public static bool AnswerPassageMatch(Example example, Prediction prediction, object? trace = null)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(prediction);
        var answers = Answers(example);
        var passages = prediction["context"] switch
        {
            string s => [s],
            IEnumerable items => items.Cast<object?>().Select(p => p as string ?? PythonRepr.Str(p)).ToList(),
            var other => throw new ArgumentException($"pred.context must be a list of passages, not {PythonTypeName(other)}."),
        };
        var tokenized = answers.Select(a => DprTokenizer.Normalize(NormalizeText(a))).ToList();
        return passages.Any(p => DprTokenizer.HasAnswer(tokenized, NormalizeText(p)));
    }

    private static List<string> Answers(Example example) => example["answer"] switch
    {
        string s => [s],
        IEnumerable<string> list => list.ToList(),
        IList list when list.Cast<object?>().All(a => a is string) => list.Cast<string>().ToList(),
        var other => throw new ArgumentException($"Invalid answer type: <class '{PythonTypeName(other)}'>"),
    };

    private static IReadOnlyList<string> NonEmpty(IReadOnlyList<string> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (answers.Count == 0) throw new ArgumentException("The list of answers is empty.", nameof(answers));
        return answers;
    }

    private static double TokenF1(List<string> prediction, List<string> truth)
    {
        var same = Overlap(prediction, truth);
        if (same == 0) return 0;
        var precision = (double)same / prediction.Count;
        var recall = (double)same / truth.Count;
        return 2 * precision * recall / (precision + recall);
    }

    // Python's sum((Counter(a) & Counter(b)).values()): per token, the smaller of the two counts.
    private static int Overlap(List<string> a, List<string> b)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in b) counts[t] = counts.GetValueOrDefault(t) + 1;
        var same = 0;
        foreach (var t in a)
        {
            if (counts.TryGetValue(t, out var c) && c > 0)
            {
                counts[t] = c - 1;
                same++;
            }
        }
        return same;
    }

    private static string PythonTypeName(object? value) => value switch
    {
        null => "NoneType",
        string => "str",
        bool => "bool",
        long or int or short or byte => "int",
        double or float => "float",
        IDictionary => "dict",
        IList => "list",
        _ => value.GetType().Name,
    };
}
