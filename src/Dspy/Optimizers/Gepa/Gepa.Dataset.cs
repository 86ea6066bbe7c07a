using System.Text;

namespace Dspy;

public sealed partial class Gepa
{
    // DSPy's make_reflective_dataset: per predictor, one record per minibatch example whose trace has a step of it.
    private async Task<IReadOnlyDictionary<string, IReadOnlyList<GepaReflectiveRecord>>> BuildReflectiveDatasetAsync(Module program,
        ProgramEvaluation evaluation, IReadOnlyList<string> components, PythonRandom rng, CancellationToken cancellationToken)
    {
        var predictors = program.NamedPredictors().ToDictionary(p => p.Name, p => p.Predictor, StringComparer.Ordinal);
        var dataset = new Dictionary<string, IReadOnlyList<GepaReflectiveRecord>>(StringComparer.Ordinal);
        foreach (var name in components)
        {
            var predictor = predictors[name];
            var records = new List<GepaReflectiveRecord>();
            foreach (var result in evaluation.Results)
            {
                if (result.Error is AdapterParseError parseError && parseError.Signature.StructurallyEquals(predictor.Signature))
                {
                    // The run stopped at this predictor's unparseable output (DSPy's FailedPrediction).
                    if (Options.AddFormatFailureAsFeedback) records.Add(FormatFailureRecord(predictor, result.Example, parseError));
                    continue;
                }
                if (!result.Succeeded) continue;
                var steps = result.Trace.Where(s => s.PredictorName == name).ToList();
                if (steps.Count == 0) continue;
                var step = rng.Choice(steps);
                var inputs = RenderInputs(step.Inputs);
                var outputs = step.Outputs.Items().ToDictionary(kv => kv.Key, kv => PythonRepr.Str(kv.Value), StringComparer.Ordinal);
                var feedback = await FeedbackAsync(result, name, step, cancellationToken);
                records.Add(new GepaReflectiveRecord(inputs, outputs, null, feedback));
            }
            if (records.Count > 0) dataset[name] = records;
        }
        return dataset;
    }

    private async Task<string> FeedbackAsync(ExampleEvaluation result, string name, PredictorTraceStep step, CancellationToken cancellationToken)
    {
        var value = Options.Metric is FeedbackMetric feedbackMetric
            ? await feedbackMetric.InvokeAsync(result.Example, result.Prediction, result.Trace, name, [step], cancellationToken)
            : result.MetricValue;
        if (value is Prediction p && p.TryGetValue("feedback", out var fb))
        {
            return fb as string ?? $"This trajectory got a score of {PythonRepr.Str(p.TryGetValue("score", out var s) ? s : null)}.";
        }
        return $"This trajectory got a score of {PythonRepr.Str(value is Prediction scored ? scored.Score : value)}.";
    }

    private static Dictionary<string, string> RenderInputs(IReadOnlyDictionary<string, object?> inputs)
    {
        var rendered = new Dictionary<string, string>(StringComparer.Ordinal);
        var history = inputs.FirstOrDefault(kv => kv.Value is History);
        if (history.Value is History h)
        {
            var sb = new StringBuilder("```json\n");
            for (var i = 0; i < h.Messages.Count; i++)
            {
                sb.Append("  ").Append(i).Append(": ").Append(PythonRepr.Repr(h.Messages[i].ToDictionary(kv => kv.Key, kv => kv.Value))).Append('\n');
            }
            rendered["Context"] = sb.Append("```").ToString();
        }
        foreach (var (key, value) in inputs)
        {
            if (value is History) continue;
            rendered[key] = PythonRepr.Str(value);
        }
        return rendered;
    }

    private static GepaReflectiveRecord FormatFailureRecord(Predict predictor, Example example, AdapterParseError error)
    {
        var failure = "Couldn't parse the output as per the expected output format. The model's raw response was:\n```\n" + error.LmResponse + "\n```\n\n";
        var structure = new StringBuilder();
        try
        {
            foreach (var message in new ChatAdapter().Format(predictor.Signature, [], new Dictionary<string, object?>(StringComparer.Ordinal)))
            {
                structure.Append(message.Role.Value).Append(": ").Append(message.Text).Append('\n');
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            // Without inputs only the system message can be shown.
            structure.Clear().Append("system: ").Append(new ChatAdapter().FormatSystemMessage(predictor.Signature)).Append('\n');
        }
        return new GepaReflectiveRecord(RenderInputs(example.Inputs().ToDictionary()), null, failure,
            "Your output failed to parse. Follow this structure:\n" + structure);
    }
}
