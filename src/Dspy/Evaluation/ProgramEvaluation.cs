namespace Dspy;

/// <summary>The result of an <see cref="IProgramEvaluator"/>: one <see cref="ExampleEvaluation"/> per example, in example order.</summary>
public sealed record ProgramEvaluation
{
    /// <summary>Creates the result from per-example results in example order.</summary>
    public ProgramEvaluation(IReadOnlyList<ExampleEvaluation> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        Results = results;
    }

    /// <summary>Per-example results, in the order of the request's examples.</summary>
    public IReadOnlyList<ExampleEvaluation> Results { get; }

    /// <summary>The per-example scores, in example order (GEPA's instance-level scores).</summary>
    public IReadOnlyList<double> Scores => Results.Select(r => r.Score).ToList();

    /// <summary>The sum of the scores.</summary>
    public double Sum => Results.Sum(r => r.Score);

    /// <summary>
    /// <see cref="Evaluate"/>'s score: the mean as a percentage rounded to two decimals the way Python does; 0 when empty.
    /// </summary>
    public double Score => Results.Count == 0 ? 0 : PythonRound.Round(100 * Sum / Results.Count, 2);
}
