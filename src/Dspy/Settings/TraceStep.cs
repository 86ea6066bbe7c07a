namespace Dspy;

/// <summary>One entry of <c>settings.trace</c>: a predictor, the inputs it was called with, and its prediction.</summary>
public sealed record TraceStep(IPredictor Predictor, IReadOnlyDictionary<string, object?> Inputs, Prediction Outputs);
