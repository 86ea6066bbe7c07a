namespace Dspy;

/// <summary>
/// GEPA's five-argument metric, DSPy's <c>metric(gold, pred, trace=None, pred_name=None, pred_trace=None)</c>: called
/// without a predictor it scores the whole program (as every <see cref="Metric"/>); called with a predictor name and that
/// predictor's steps it may return feedback aimed at that predictor. It returns a number, a bool, or a
/// <see cref="ScoreWithFeedback"/> (any <see cref="Prediction"/> with <c>score</c> and <c>feedback</c>).
/// </summary>
/// <param name="gold">The example.</param>
/// <param name="prediction">The program's prediction.</param>
/// <param name="trace">The program's trace, or null.</param>
/// <param name="predictorName">The predictor GEPA asks feedback for, or null for the program-level score.</param>
/// <param name="predictorTrace">That predictor's steps, or null.</param>
/// <param name="cancellationToken">Cancels the call.</param>
public delegate ValueTask<object?> FeedbackMetricFunction(Example gold, Prediction prediction, object? trace, string? predictorName,
    IReadOnlyList<PredictorTraceStep>? predictorTrace, CancellationToken cancellationToken);

/// <summary>
/// A <see cref="Metric"/> that also accepts GEPA's <c>pred_name</c> and <c>pred_trace</c> (see
/// <see cref="FeedbackMetricFunction"/>). Any plain metric works with <see cref="Gepa"/> too: GEPA then uses the feedback
/// of its program-level value, or <c>This trajectory got a score of {score}.</c>
/// </summary>
public sealed class FeedbackMetric : Metric
{
    private readonly FeedbackMetricFunction _function;

    /// <summary>Creates the metric.</summary>
    public FeedbackMetric(string name, FeedbackMetricFunction function)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(function);
        _function = function;
    }

    /// <inheritdoc/>
    public override ValueTask<object?> InvokeAsync(Example example, Prediction prediction, object? trace = null, CancellationToken cancellationToken = default) =>
        _function(example, prediction, trace, null, null, cancellationToken);

    /// <summary>Calls the metric for one predictor, as GEPA does while building its reflective dataset.</summary>
    public ValueTask<object?> InvokeAsync(Example example, Prediction prediction, object? trace, string? predictorName,
        IReadOnlyList<PredictorTraceStep>? predictorTrace, CancellationToken cancellationToken = default) =>
        _function(example, prediction, trace, predictorName, predictorTrace, cancellationToken);
}
