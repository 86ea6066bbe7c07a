namespace Dspy.Grains;

/// <summary>Converts between the in-process <see cref="ExampleEvaluation"/> and the <see cref="CellResult"/> that crosses silos.</summary>
public static class CellCodec
{
    /// <summary>Encodes an evaluated example.</summary>
    public static CellResult Encode(string exampleId, ExampleEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var metricIsPrediction = evaluation.MetricValue is Prediction;
        return new CellResult
        {
            ExampleId = exampleId,
            Score = evaluation.Score,
            PredictionJson = PythonJson.Dumps(ValueModel.FromClr(evaluation.Prediction.ToDictionary())),
            MetricValueJson = evaluation.MetricValue switch
            {
                null => null,
                Prediction p => PythonJson.Dumps(ValueModel.FromClr(p.ToDictionary())),
                var v => PythonJson.Dumps(ValueModel.FromClr(v)),
            },
            MetricValueIsPrediction = metricIsPrediction,
            TraceJson = evaluation.Trace.Count == 0 ? null : PythonJson.Dumps(evaluation.Trace.Select(step => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["predictor"] = step.PredictorName,
                ["inputs"] = ValueModel.FromClr(step.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)),
                ["outputs"] = ValueModel.FromClr(step.Outputs.ToDictionary()),
            }).ToList()),
            ErrorType = evaluation.Error?.GetType().Name,
            ErrorMessage = evaluation.Error?.Message,
        };
    }

    /// <summary>Decodes a cell for the example at <paramref name="index"/> of the request.</summary>
    public static ExampleEvaluation Decode(int index, Example example, CellResult cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var prediction = new Prediction(AsObject(cell.PredictionJson, "prediction"));
        object? metricValue = cell.MetricValueJson is null
            ? null
            : cell.MetricValueIsPrediction ? new Prediction(AsObject(cell.MetricValueJson, "metric value")) : ValueModel.ParseJson(cell.MetricValueJson);
        var trace = new List<PredictorTraceStep>();
        if (cell.TraceJson is not null)
        {
            if (ValueModel.ParseJson(cell.TraceJson) is not List<object?> steps) throw new InvalidDataException("A cell's trace must be a JSON list.");
            foreach (var s in steps)
            {
                if (s is not Dictionary<string, object?> step) throw new InvalidDataException("A trace step must be a JSON object.");
                trace.Add(new PredictorTraceStep(step.GetValueOrDefault("predictor") as string,
                    step.GetValueOrDefault("inputs") as Dictionary<string, object?> ?? [],
                    new Prediction(step.GetValueOrDefault("outputs") as Dictionary<string, object?> ?? [])));
            }
        }
        return new ExampleEvaluation(index, example, prediction, cell.Score)
        {
            MetricValue = metricValue,
            Trace = trace,
            Error = cell.ErrorType is null ? null : new RemoteEvaluationException(cell.ErrorType, cell.ErrorMessage ?? ""),
        };
    }

    private static Dictionary<string, object?> AsObject(string json, string what) =>
        ValueModel.ParseJson(json) as Dictionary<string, object?> ?? throw new InvalidDataException($"A cell's {what} must be a JSON object.");
}
