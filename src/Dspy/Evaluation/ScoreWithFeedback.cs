namespace Dspy;

/// <summary>
/// DSPy's <c>ScoreWithFeedback</c>: what a metric returns when it has more to say than a number, a prediction with a
/// <c>score</c> and a textual <c>feedback</c>. <see cref="Metric.ToScore"/> reads the score; GEPA shows the feedback to
/// its reflection LM, SIMBA passes it on as reward information.
/// </summary>
public sealed class ScoreWithFeedback : Prediction
{
    /// <summary>Creates the value.</summary>
    /// <param name="score">The score.</param>
    /// <param name="feedback">What was right or wrong, in words; null lets GEPA write its default ("This trajectory got a score of ...").</param>
    public ScoreWithFeedback(double score, string? feedback)
        : base([new KeyValuePair<string, object?>("score", score), new KeyValuePair<string, object?>("feedback", feedback)])
    {
    }

    /// <summary>The feedback text, or null.</summary>
    public string? Feedback => this["feedback"] as string;
}
