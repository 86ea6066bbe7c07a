namespace Dspy;

/// <summary>What an <see cref="InferRules"/> run produced.</summary>
/// <param name="Program">The best candidate: the bootstrapped program with induced rules appended to its instructions.</param>
/// <param name="BestScore">Its valset score (a percentage).</param>
/// <param name="Candidates">Every candidate in the order tried, with its score.</param>
/// <param name="Budget">The LM budget of the run (bootstrapping, rule induction and evaluations).</param>
public sealed record InferRulesResult(Module Program, double BestScore, IReadOnlyList<InferRulesCandidate> Candidates, OptimizerBudget Budget);

/// <summary>One candidate of <see cref="InferRules"/>.</summary>
/// <param name="Index">Its position (0-based).</param>
/// <param name="Score">Its valset score.</param>
/// <param name="Program">The candidate program.</param>
public sealed record InferRulesCandidate(int Index, double Score, Module Program);
