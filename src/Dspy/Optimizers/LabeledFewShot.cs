namespace Dspy;

/// <summary>
/// DSPy's <c>LabeledFewShot(k=16)</c>: gives every predictor of a reset copy of the student up to <see cref="K"/> labeled
/// trainset examples as demos. With sampling (the default) one <c>random.Random(seed)</c> (<see cref="PythonRandom"/>),
/// shared across the predictors in order, draws <c>min(k, n)</c> examples without replacement for each predictor, so with
/// DSPy's seed 0 the demos are the ones Python DSPy picks; without sampling every predictor gets the first <c>k</c>.
/// Makes no LM call.
/// </summary>
public sealed class LabeledFewShot : Teleprompter
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="k">Demos per predictor.</param>
    /// <param name="seed">The sampler's seed; DSPy always uses 0 (not a DSPy parameter).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is negative.</exception>
    public LabeledFewShot(int k = 16, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        K = k;
        Seed = seed;
    }

    /// <summary>The number of demos per predictor.</summary>
    public int K { get; }

    /// <summary>The sampler's seed (DSPy's <c>random.Random(0)</c> when 0).</summary>
    public long Seed { get; }

    /// <inheritdoc/>
    public override Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) => CompileAsync(student, trainset, sample: true, options, cancellationToken);

    /// <summary>
    /// DSPy's <c>compile(student, *, trainset, sample=True)</c>. An empty trainset returns the reset copy without demos, as
    /// DSPy does.
    /// </summary>
    public Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, bool sample, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        cancellationToken.ThrowIfCancellationRequested();
        options?.Progress?.Report(CreateEvent(OptimizerEventKind.Started, message: $"k={K}, {trainset.Count} examples") with { TotalTrials = 0 });
        var compiled = Compile(student, trainset, sample);
        options?.Progress?.Report(CreateEvent(OptimizerEventKind.Finished, message: $"{compiled.Predictors().Count} predictors given demos"));
        return Task.FromResult(compiled);
    }

    /// <summary>The synchronous core of <see cref="CompileAsync(Module, IReadOnlyList{Example}, bool, CompileOptions?, CancellationToken)"/>.</summary>
    public Module Compile(Module student, IReadOnlyList<Example> trainset, bool sample = true)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        var copy = student.ResetCopy();
        if (trainset.Count == 0) return copy;
        var rng = new PythonRandom(Seed);
        var size = Math.Min(K, trainset.Count);
        foreach (var predictor in copy.Predictors())
        {
            predictor.Demos = sample ? rng.Sample(trainset, size) : trainset.Take(size).ToList();
        }
        return copy;
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() =>
        new Dictionary<string, object?>(StringComparer.Ordinal) { ["k"] = (long)K, ["seed"] = Seed };
}
