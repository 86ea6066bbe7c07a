namespace Dspy.Grains;

/// <summary>
/// One evaluated cell (candidate x example x settings) as a shard returns and stores it: the score, the prediction and
/// the metric's raw value as JSON, the trace steps when captured, or the error.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.CellResult")]
public sealed record CellResult
{
    /// <summary>The example id.</summary>
    [Id(0)] public required string ExampleId { get; init; }

    /// <summary>The score (the failure score when the example failed).</summary>
    [Id(1)] public double Score { get; init; }

    /// <summary>The prediction's fields as a JSON object.</summary>
    [Id(2)] public string PredictionJson { get; init; } = "{}";

    /// <summary>The metric's raw value as JSON (a bool, number, or a scored prediction's fields).</summary>
    [Id(3)] public string? MetricValueJson { get; init; }

    /// <summary>Whether <see cref="MetricValueJson"/> is a prediction (GEPA-style score plus feedback).</summary>
    [Id(4)] public bool MetricValueIsPrediction { get; init; }

    /// <summary>The trace steps as JSON (<c>[{"predictor": name, "inputs": {...}, "outputs": {...}}]</c>), or null.</summary>
    [Id(5)] public string? TraceJson { get; init; }

    /// <summary>The failure's exception type name, or null when the example succeeded.</summary>
    [Id(6)] public string? ErrorType { get; init; }

    /// <summary>The failure's message.</summary>
    [Id(7)] public string? ErrorMessage { get; init; }
}
