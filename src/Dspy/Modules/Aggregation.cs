namespace Dspy;

/// <summary>DSPy's <c>dspy.predict.aggregation</c>: majority voting over the generations of a call.</summary>
public static class Aggregation
{
    /// <summary>
    /// DSPy's <c>default_normalize</c>: <see cref="Metrics.NormalizeText"/>, with a text that normalises to empty mapped to
    /// null (ignored by the vote).
    /// </summary>
    public static string? DefaultNormalize(string text)
    {
        var normalized = Metrics.NormalizeText(text);
        return normalized.Length == 0 ? null : normalized;
    }

    /// <summary>DSPy's <c>majority(prediction)</c>: votes over the prediction's completions with <see cref="DefaultNormalize"/>.</summary>
    /// <exception cref="ArgumentException">The prediction has no completions.</exception>
    public static Prediction Majority(Prediction prediction, string? field = null) => Majority(prediction, DefaultNormalize, field);

    /// <summary>
    /// DSPy's <c>majority(prediction, normalize, field)</c>. Pass <c>s =&gt; s</c> as <paramref name="normalize"/> for DSPy's
    /// <c>normalize=None</c> (no normalisation).
    /// </summary>
    /// <exception cref="ArgumentException">The prediction has no completions.</exception>
    public static Prediction Majority(Prediction prediction, Func<string, string?> normalize, string? field = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        var completions = prediction.Completions
            ?? throw new ArgumentException("The prediction has no completions to vote over.", nameof(prediction));
        return Majority(completions, normalize, field);
    }

    /// <summary>DSPy's <c>majority(completions)</c> with <see cref="DefaultNormalize"/>.</summary>
    public static Prediction Majority(Completions completions, string? field = null) => Majority(completions, DefaultNormalize, field);

    /// <summary>
    /// DSPy's <c>majority(completions, normalize, field)</c>: the most common normalised value of <paramref name="field"/>
    /// (default: the signature's last output field, else the last key of the first completion). Values normalised to null are
    /// ignored unless all are; a tie goes to the value seen first, i.e. to the earliest completion. Returns
    /// <c>Prediction.FromCompletions([winner])</c> where the winner is the first completion with the majority value.
    /// Non-string values are voted on as Python's <c>str(value)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">There are no completions.</exception>
    public static Prediction Majority(Completions completions, Func<string, string?> normalize, string? field = null)
    {
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentNullException.ThrowIfNull(normalize);
        if (completions.Count == 0) throw new ArgumentException("There are no completions to vote over.", nameof(completions));

        var signature = completions.Signature;
        field ??= signature is { OutputFields.Count: > 0 } ? signature.OutputFields[^1].Name : completions.Rows[0].Keys.Last();

        var normalized = completions.Rows.Select(row => normalize(AsText(row[field]))).ToList();

        // Counts in first-seen order, so the first maximum is the value the earliest completion carried.
        var counts = new OrderedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in normalized)
        {
            if (value is null) continue;
            counts[value] = counts.GetValueOrDefault(value) + 1;
        }

        int winner;
        if (counts.Count == 0)
        {
            // Every value normalised to None: None is the majority and the first completion carries it.
            winner = 0;
        }
        else
        {
            string? best = null;
            var bestCount = 0;
            foreach (var (value, count) in counts)
            {
                if (count > bestCount) (best, bestCount) = (value, count);
            }
            winner = normalized.FindIndex(v => v == best);
        }

        return Prediction.FromCompletions([completions.Rows[winner]], signature);
    }

    private static string AsText(object? value) => value as string ?? PythonRepr.Str(value);
}
