namespace Dspy;

/// <summary>
/// DSPy's <c>EvaluationResult</c>: a <see cref="Prediction"/> with <c>score</c> (a percentage rounded to 2 decimals,
/// e.g. 67.3) and <c>results</c> (one row per devset example, in devset order).
/// </summary>
public sealed class EvaluationResult : Prediction
{
    /// <summary>Creates the result.</summary>
    public EvaluationResult(double score, IReadOnlyList<EvaluationRow> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        this["score"] = score;
        this["results"] = results;
        Results = results;
    }

    /// <summary>The rows in devset order.</summary>
    public IReadOnlyList<EvaluationRow> Results { get; }

    /// <summary>DSPy's repr: <c>EvaluationResult(score=100.0, results=&lt;list of 1 results&gt;)</c>.</summary>
    public override string ToString() => $"EvaluationResult(score={PythonFloat.Repr(Score)}, results=<list of {Results.Count} results>)";

    /// <inheritdoc/>
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc/>
    public override int GetHashCode() => base.GetHashCode();
}
