namespace Dspy;

/// <summary>
/// DSPy's <c>Teleprompter</c>, the base class of optimizers: <see cref="CompileAsync"/> takes a student program and a
/// trainset and returns an optimized copy; the student is never changed. Optimizers keep DESIGN section 3's invariants:
/// deterministic for a seed and independent of the order in which parallel work completes, every LM call counted in the
/// budget reported with <see cref="OptimizerEvent"/>s.
/// </summary>
public abstract class Teleprompter
{
    /// <summary>The optimizer's DSPy name (the class name), used in events and logs.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>
    /// DSPy's <c>compile(student, *, trainset, teacher=None, valset=None)</c>: returns the optimized program, a new module
    /// with the student's structure.
    /// </summary>
    public abstract Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>DSPy's <c>get_params()</c>: the optimizer's settings by DSPy name, for logs and run records.</summary>
    public abstract IReadOnlyDictionary<string, object?> GetParams();

    /// <summary>Creates an event of this optimizer.</summary>
    protected OptimizerEvent CreateEvent(OptimizerEventKind kind, OptimizerBudget? budget = null, string? message = null) =>
        new() { Optimizer = Name, Kind = kind, Budget = budget ?? OptimizerBudget.None, Message = message };
}
