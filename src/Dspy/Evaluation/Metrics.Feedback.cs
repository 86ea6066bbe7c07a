using System.Collections;

namespace Dspy;

public static partial class Metrics
{
    /// <summary>
    /// <see cref="FieldsExactMatch"/> with feedback, for GEPA and SIMBA (registered as <c>exact_match_feedback</c>): the same
    /// score, returned as a <see cref="ScoreWithFeedback"/> whose text names each wrong field with what was expected and what
    /// was predicted (<c>Wrong label: expected rent_car, got book_flight. The correct answer is rent_car.</c>), or says the
    /// prediction is correct. A reflection LM reads the correct answer from that text.
    /// </summary>
    /// <exception cref="ArgumentException">The prediction shares no field with the example.</exception>
    public static ScoreWithFeedback FieldsExactMatchWithFeedback(Example example, Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(prediction);
        var wrong = new List<string>();
        var right = new List<string>();
        foreach (var key in prediction.Keys())
        {
            if (!example.TryGetValue(key, out var gold) || (example.InputKeys?.Contains(key) ?? false)) continue;
            var predicted = prediction[key];
            var golds = gold is IList list ? list.Cast<object?>().ToList() : [gold];
            var ok = golds.Any(g => NumbersEqual(g, predicted) || EmScore(PythonRepr.Str(predicted), PythonRepr.Str(g)));
            var expected = PythonRepr.Str(golds.FirstOrDefault());
            (ok ? right : wrong).Add(ok
                ? $"the {key} {PythonRepr.Str(predicted)} is correct"
                : $"Wrong {key}: expected {expected}, got {PythonRepr.Str(predicted)}. The correct answer is {expected}.");
        }
        if (wrong.Count == 0 && right.Count == 0)
        {
            throw new ArgumentException(
                $"The prediction ({string.Join(", ", prediction.Keys())}) shares no output field with the example ({string.Join(", ", example.Keys())}).");
        }
        return wrong.Count == 0
            ? new ScoreWithFeedback(1.0, "Correct: " + string.Join("; ", right) + ".")
            : new ScoreWithFeedback(0.0, string.Join(" ", wrong));
    }
}
