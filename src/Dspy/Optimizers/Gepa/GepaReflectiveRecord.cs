namespace Dspy;

/// <summary>
/// One record of GEPA's reflective dataset (DSPy's <c>make_reflective_dataset</c>): a predictor's inputs and outputs on one
/// minibatch example, as text, with the metric's feedback.
/// </summary>
/// <param name="Inputs">The predictor's inputs, by field name, as Python <c>str()</c> (a History input appears as <c>Context</c>).</param>
/// <param name="GeneratedOutputs">Its outputs by field name, or null when the output failed to parse.</param>
/// <param name="ParseFailure">When the output failed to parse: the text describing the raw response; otherwise null.</param>
/// <param name="Feedback">The metric's feedback, <c>This trajectory got a score of {score}.</c>, or the parse-failure instructions.</param>
public sealed record GepaReflectiveRecord(IReadOnlyDictionary<string, string> Inputs, IReadOnlyDictionary<string, string>? GeneratedOutputs,
    string? ParseFailure, string Feedback);
