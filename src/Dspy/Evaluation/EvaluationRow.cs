namespace Dspy;

/// <summary>
/// One evaluated example: the example, the program's prediction (an empty prediction if it failed) and the score
/// (the failure score if it failed). <see cref="MetricValue"/> keeps the metric's raw value (e.g. <c>true</c>) for exports.
/// </summary>
public sealed record EvaluationRow(Example Example, Prediction Prediction, double Score)
{
    /// <summary>The metric's raw return value, or the failure score for a failed example.</summary>
    public object? MetricValue { get; init; } = Score;

    /// <summary>The error that made this example fail, or null.</summary>
    public Exception? Error { get; init; }
}
