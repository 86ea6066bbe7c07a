namespace Dspy;

/// <summary>
/// DSPy's <c>Ensemble(*, reduce_fn=None, size=None, deterministic=False)</c>: <see cref="Compile"/> combines several
/// programs into one <see cref="EnsembledProgram"/> that, on each call, runs <c>size</c> programs sampled without
/// replacement (or all of them when <c>size</c> is null or 0) and returns <c>reduce_fn(outputs)</c>, or all outputs when
/// there is no reduce function. Unlike DSPy, which samples with Python's global <c>random</c>, each compiled program samples
/// with its own <see cref="PythonRandom"/> seeded with <see cref="Seed"/>, so a sequence of calls is reproducible.
/// Makes no LM call itself. It does not derive from <see cref="Teleprompter"/> because it compiles a list of programs,
/// not a student with a trainset.
/// </summary>
public sealed class Ensemble
{
    /// <summary>Creates the combiner.</summary>
    /// <param name="reduceFn">Combines the outputs of one call (e.g. a majority vote); null returns all outputs.</param>
    /// <param name="size">Programs sampled per call; null or 0 runs them all (Python's <c>if size</c>).</param>
    /// <param name="deterministic">Must be false: DSPy has not implemented deterministic ensembles.</param>
    /// <param name="seed">Seed of the per-call sampling (not a DSPy parameter).</param>
    /// <exception cref="NotSupportedException"><paramref name="deterministic"/> is true (DSPy's assertion).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public Ensemble(Func<IReadOnlyList<Prediction>, Prediction>? reduceFn = null, int? size = null, bool deterministic = false, long seed = 0)
    {
        if (deterministic) throw new NotSupportedException("TODO: Implement example hashing for deterministic ensemble.");
        if (size is < 0) throw new ArgumentOutOfRangeException(nameof(size), "size must not be negative.");
        ReduceFn = reduceFn;
        Size = size;
        Deterministic = deterministic;
        Seed = seed;
    }

    /// <summary>The reduce function, or null.</summary>
    public Func<IReadOnlyList<Prediction>, Prediction>? ReduceFn { get; }

    /// <summary>Programs sampled per call; null or 0 means all.</summary>
    public int? Size { get; }

    /// <summary>Always false (see the constructor).</summary>
    public bool Deterministic { get; }

    /// <summary>Seed of each compiled program's sampler.</summary>
    public long Seed { get; }

    /// <summary>DSPy's <c>compile(programs)</c>: the ensembled program over <paramref name="programs"/> (kept by reference, as DSPy does).</summary>
    /// <exception cref="ArgumentException">A program is null, or <see cref="Size"/> exceeds the number of programs.</exception>
    public EnsembledProgram Compile(IReadOnlyList<Module> programs)
    {
        ArgumentNullException.ThrowIfNull(programs);
        if (programs.Any(p => p is null)) throw new ArgumentException("Programs must not be null.", nameof(programs));
        // Python's random.sample raises when a call happens; failing at compile time reports the mistake earlier.
        if (Size is > 0 && Size > programs.Count)
            throw new ArgumentException($"size {Size} is larger than the number of programs ({programs.Count}): Sample larger than population.", nameof(programs));
        return new EnsembledProgram(programs, ReduceFn, Size, Seed);
    }

    /// <summary>The settings by DSPy name.</summary>
    public IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["reduce_fn"] = ReduceFn?.Method.Name,
        ["size"] = Size is { } s ? (long)s : null,
        ["deterministic"] = Deterministic,
        ["seed"] = Seed,
    };
}
