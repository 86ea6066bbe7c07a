namespace Dspy;

/// <summary>What <see cref="Simba.OptimizeAsync"/> returns.</summary>
/// <param name="Program">The best of the final candidates on the full trainset.</param>
/// <param name="Score">Its mean trainset score.</param>
/// <param name="CandidatePrograms">The final candidates with their mean trainset scores, best first (DSPy's <c>candidate_programs</c>).</param>
/// <param name="TrialLogs">Per step: the mean score of the sampled trajectories and the new candidates' mini-batch scores.</param>
/// <param name="Budget">The LM budget used.</param>
public sealed record SimbaResult(Module Program, double Score, IReadOnlyList<(double Score, Module Program)> CandidatePrograms,
    IReadOnlyList<SimbaStepLog> TrialLogs, OptimizerBudget Budget);

/// <summary>One SIMBA step.</summary>
/// <param name="Step">The step index.</param>
/// <param name="BaselineScore">The mean score of all sampled trajectories of the batch.</param>
/// <param name="CandidateScores">Each new candidate's mean score on the batch.</param>
/// <param name="Strategies">The strategy applied for each new candidate (<c>append_a_demo</c> or <c>append_a_rule</c>).</param>
public sealed record SimbaStepLog(int Step, double BaselineScore, IReadOnlyList<double> CandidateScores, IReadOnlyList<string> Strategies);
