namespace Dspy;

/// <summary>
/// Everything a <see cref="BootstrapFewShot"/> run produced, for optimizers built on it (random search, MIPROv2) and for
/// reports: DSPy keeps these as attributes of the optimizer (<c>name2traces</c>, <c>validation</c>).
/// </summary>
/// <param name="Program">The compiled student (marked <see cref="Module.Compiled"/>).</param>
/// <param name="Traces">Augmented demos per predictor name, in bootstrap order, before truncation to the maximum.</param>
/// <param name="BootstrappedIndices">Trainset indices of the examples that were bootstrapped, ascending.</param>
/// <param name="Validation">The examples that were not bootstrapped, shuffled with seed 0 (DSPy's <c>validation</c>).</param>
/// <param name="ExamplesProcessed">Trainset examples tried before bootstrapping stopped.</param>
/// <param name="Attempts">Teacher runs counted as DSPy counts them (one per example and round tried).</param>
/// <param name="Errors">Runs that raised an exception.</param>
/// <param name="Budget">The LM budget the run used, speculative parallel runs included.</param>
public sealed record BootstrapFewShotResult(
    Module Program,
    IReadOnlyDictionary<string, IReadOnlyList<Example>> Traces,
    IReadOnlyList<int> BootstrappedIndices,
    IReadOnlyList<Example> Validation,
    int ExamplesProcessed,
    int Attempts,
    int Errors,
    OptimizerBudget Budget);
