using System.Collections;
using System.Globalization;

namespace Dspy;

public static partial class Metrics
{
    /// <summary>
    /// Exact match over every predicted field that the example also has (so it works for any signature, not only
    /// <c>answer</c>): numbers compare by value (<c>42</c> equals <c>42.0</c>), everything else by <see cref="NormalizeText"/>
    /// of its Python <c>str()</c>; a list in the example lists acceptable answers. 1.0 when every such field matches.
    /// </summary>
    /// <exception cref="ArgumentException">The prediction shares no field with the example.</exception>
    public static double FieldsExactMatch(Example example, Prediction prediction) =>
        CompareSharedFields(example, prediction, (gold, predicted) => EmScore(predicted, gold) ? 1.0 : 0.0, all: true);

    /// <summary>Token F1 (DSPy's <c>f1_score</c>) averaged over every predicted field the example also has; numbers that are equal score 1.</summary>
    /// <exception cref="ArgumentException">The prediction shares no field with the example.</exception>
    public static double FieldsF1(Example example, Prediction prediction) =>
        CompareSharedFields(example, prediction, (gold, predicted) => F1Score(predicted, gold), all: false);

    private static double CompareSharedFields(Example example, Prediction prediction, Func<string, string, double> score, bool all)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(prediction);
        var scores = new List<double>();
        foreach (var key in prediction.Keys())
        {
            if (!example.TryGetValue(key, out var gold) || (example.InputKeys?.Contains(key) ?? false)) continue;
            var predicted = prediction[key];
            var golds = gold is IList list ? list.Cast<object?>() : [gold];
            scores.Add(golds.Max(g => NumbersEqual(g, predicted) ? 1.0 : score(PythonRepr.Str(g), PythonRepr.Str(predicted))));
        }
        if (scores.Count == 0)
        {
            throw new ArgumentException(
                $"The prediction ({string.Join(", ", prediction.Keys())}) shares no output field with the example ({string.Join(", ", example.Keys())}).");
        }
        return all ? (scores.All(s => s >= 1.0) ? 1.0 : 0.0) : scores.Average();
    }

    private static bool NumbersEqual(object? a, object? b) => AsNumber(a) is { } x && AsNumber(b) is { } y && x == y;

    private static double? AsNumber(object? value) => value switch
    {
        long or int or double or float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        string s when double.TryParse(s.Trim().Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
