using System.Globalization;

namespace Dspy;

/// <summary>
/// Progress of an evaluation after each finished example. <see cref="ScoreSum"/> and <see cref="Scored"/> count only the
/// examples that succeeded so far, as DSPy's progress bar does.
/// </summary>
/// <param name="Processed">Examples finished, successfully or not.</param>
/// <param name="Total">Examples in the devset.</param>
/// <param name="Scored">Examples that produced a score.</param>
/// <param name="ScoreSum">Sum of those scores.</param>
/// <param name="Errors">Examples that failed.</param>
public sealed record EvaluationProgress(int Processed, int Total, int Scored, double ScoreSum, int Errors)
{
    /// <summary>DSPy's progress text: <c>Average Metric: 2.00 / 3 (66.7%)</c>.</summary>
    public string Description
    {
        get
        {
            var pct = Scored == 0 ? "0" : PythonFloat.Repr(PythonRound.Round(100 * ScoreSum / Scored, 1));
            return $"Average Metric: {PythonRound.Format(ScoreSum, 2)} / {Scored.ToString(CultureInfo.InvariantCulture)} ({pct}%)";
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Description;
}
