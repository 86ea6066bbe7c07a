namespace Dspy;

/// <summary>One evaluated example: the prediction, its score and raw metric value, the trace when captured, or the error.</summary>
/// <param name="Index">The example's position in the request.</param>
/// <param name="Example">The example.</param>
/// <param name="Prediction">The program's prediction; empty when the program failed.</param>
/// <param name="Score">The metric's score (<see cref="Metric.ToScore"/>), or the failure score.</param>
public sealed record ExampleEvaluation(int Index, Example Example, Prediction Prediction, double Score)
{
    /// <summary>The metric's raw value (bool, number, or a prediction with a score and feedback, as GEPA's metrics return).</summary>
    public object? MetricValue { get; init; }

    /// <summary>The predictor steps of the run, by predictor name, when traces were captured; otherwise empty.</summary>
    public IReadOnlyList<PredictorTraceStep> Trace { get; init; } = [];

    /// <summary>The program's or metric's failure, if any.</summary>
    public Exception? Error { get; init; }

    /// <summary>Whether the program and metric ran without error.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>
/// A trace step by predictor name (DSPy's <c>(predictor, inputs, outputs)</c> with the predictor named as in
/// <c>named_predictors()</c>), so traces can cross process boundaries. Steps of predictors outside the program have a null name.
/// </summary>
/// <param name="PredictorName">The predictor's name in the evaluated program, or null for a predictor outside it.</param>
/// <param name="Inputs">The inputs the predictor was called with.</param>
/// <param name="Outputs">Its prediction.</param>
public sealed record PredictorTraceStep(string? PredictorName, IReadOnlyDictionary<string, object?> Inputs, Prediction Outputs);
