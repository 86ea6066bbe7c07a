namespace Dspy;

/// <summary>
/// What a <see cref="BootstrapFewShotWithRandomSearch"/> run produced. DSPy attaches the candidates to the returned program
/// (<c>best_program.candidate_programs</c>); here they are on this result.
/// </summary>
/// <param name="Program">The best program: the first candidate, in seed order, with the highest score.</param>
/// <param name="BestScore">Its score.</param>
/// <param name="BestSeed">Its seed.</param>
/// <param name="CandidatePrograms">Every candidate tried, sorted by score, highest first (ties in seed order, as Python's stable sort).</param>
/// <param name="StoppedEarly">The search stopped because a candidate reached <see cref="BootstrapFewShotWithRandomSearchOptions.StopAtScore"/>.</param>
/// <param name="Budget">The LM budget of the run, every candidate's bootstrapping and evaluation included.</param>
public sealed record BootstrapFewShotWithRandomSearchResult(
    Module Program,
    double BestScore,
    int BestSeed,
    IReadOnlyList<RandomSearchCandidate> CandidatePrograms,
    bool StoppedEarly,
    OptimizerBudget Budget);
