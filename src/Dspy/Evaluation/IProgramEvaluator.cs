namespace Dspy;

/// <summary>
/// The program-evaluator seam (DESIGN section 1): runs a program on a set of examples and scores each prediction with a
/// metric, optionally capturing the predictor traces (bootstrapping). Every optimizer evaluates candidates and collects
/// traces through this interface, never by looping itself, so the same optimizer runs in-process
/// (<see cref="LocalProgramEvaluator"/>) or fanned out over a cluster's shard grains.
/// </summary>
/// <remarks>
/// Implementations return results in example order whatever order the work completes in (invariant 1), and only depend
/// on the request: the program's state, the examples, the metric and the LM overrides. That makes every
/// (program state, example, LM configuration) cell memoisable (invariant 2).
/// </remarks>
public interface IProgramEvaluator
{
    /// <summary>Evaluates <see cref="ProgramEvaluationRequest.Program"/> on every example of the request.</summary>
    /// <exception cref="MaxErrorsExceededException">
    /// <see cref="ProgramEvaluationRequest.MaxErrors"/> examples failed (a failure is a program or metric exception).
    /// </exception>
    Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default);
}
