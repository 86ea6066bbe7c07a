namespace Dspy;

/// <summary>What a <see cref="BootstrapFinetune"/> run produced.</summary>
/// <param name="Program">The student with every predictor's LM replaced by its fine-tuned LM.</param>
/// <param name="Jobs">The fine-tuning jobs, in the order of the predictors that first needed them.</param>
/// <param name="TracedExamples">Trainset examples run per teacher to collect traces (all of them, for every teacher).</param>
/// <param name="KeptTraces">Traces kept after the metric's filter (summed over teachers).</param>
/// <param name="Budget">The LM budget of the trace bootstrapping (fine-tuning calls are not LM calls).</param>
public sealed record BootstrapFinetuneResult(Module Program, IReadOnlyList<FinetuneJob> Jobs, int TracedExamples, int KeptTraces, OptimizerBudget Budget);
