namespace Dspy;

/// <summary>
/// One program tried by <see cref="BootstrapFewShotWithRandomSearch"/> (an entry of DSPy's <c>candidate_programs</c>).
/// </summary>
/// <param name="Seed">The candidate's seed: -3 zero-shot, -2 labeled demos only, -1 unshuffled bootstrap, &gt;= 0 shuffled bootstrap.</param>
/// <param name="Score">Its score on the valset, a percentage (DSPy's <c>Evaluate</c> score).</param>
/// <param name="Subscores">The metric's score for each valset example, in valset order.</param>
/// <param name="Program">The candidate program.</param>
public sealed record RandomSearchCandidate(int Seed, double Score, IReadOnlyList<double> Subscores, Module Program)
{
    /// <summary>What the seed stands for, for logs: <c>zero-shot</c>, <c>labeled</c>, <c>bootstrap</c> or <c>bootstrap(seed=N)</c>.</summary>
    public string Kind => Seed switch
    {
        -3 => "zero-shot",
        -2 => "labeled",
        -1 => "bootstrap",
        _ => $"bootstrap(seed={Seed})",
    };
}
