namespace Dspy;

/// <summary>
/// The keyword arguments every <see cref="Teleprompter.CompileAsync"/> accepts (DSPy's <c>compile(student, *, trainset,
/// teacher=None, valset=None)</c>) plus a progress sink. Optimizer-specific settings live in each optimizer's own options.
/// </summary>
public sealed record CompileOptions
{
    /// <summary>The teacher program (DSPy's <c>teacher</c>); null means a copy of the student. Not every optimizer uses one.</summary>
    public Module? Teacher { get; init; }

    /// <summary>A validation set (DSPy's <c>valset</c>); optimizers that need one default to the trainset, as DSPy does.</summary>
    public IReadOnlyList<Example>? Valset { get; init; }

    /// <summary>
    /// Runs every evaluation and bootstrapping trace of the optimizer (DESIGN section 1's seam); null means
    /// <see cref="LocalProgramEvaluator.Instance"/>. A cluster passes its own to fan the work out over silos.
    /// </summary>
    public IProgramEvaluator? Evaluator { get; init; }

    /// <summary>Receives progress events in deterministic order.</summary>
    public IProgress<OptimizerEvent>? Progress { get; init; }
}
