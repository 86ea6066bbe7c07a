namespace Dspy;

/// <summary>What a <see cref="BetterTogether"/> run produced (DSPy attaches these to the returned program).</summary>
/// <param name="Program">The best candidate (with a valset), else the latest one.</param>
/// <param name="CandidatePrograms">Every program evaluated, the original first in run order, sorted by score (best first, earlier wins ties).</param>
/// <param name="FlagCompilationErrorOccurred">A step threw; the run stopped there and returned the best program so far.</param>
/// <param name="Budget">The LM budget of the run, every step and validation included.</param>
public sealed record BetterTogetherResult(Module Program, IReadOnlyList<BetterTogetherCandidate> CandidatePrograms, bool FlagCompilationErrorOccurred,
    OptimizerBudget Budget);

/// <summary>One program of a <see cref="BetterTogether"/> run.</summary>
/// <param name="Strategy">The steps that produced it (<c>""</c> for the original, then <c>"p"</c>, <c>"p -&gt; w"</c> ...).</param>
/// <param name="Score">Its valset score (a percentage), or null without a valset.</param>
/// <param name="Program">A copy of the program after those steps.</param>
public sealed record BetterTogetherCandidate(string Strategy, double? Score, Module Program);
