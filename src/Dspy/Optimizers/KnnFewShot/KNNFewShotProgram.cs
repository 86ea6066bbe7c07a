namespace Dspy;

/// <summary>
/// The program <see cref="KNNFewShot"/> returns: each call retrieves the nearest trainset examples, bootstraps the wrapped
/// program on them with <see cref="BootstrapFewShot"/>, and runs the result (DSPy's patched <c>forward</c>). The wrapped
/// program is its sub-module <c>program</c>, so its predictors (and their saved state) are this module's parameters.
/// </summary>
public sealed class KNNFewShotProgram : Module
{
    private readonly Module _program;

    [DspyIgnore]
    private readonly Module? _teacher;

    [DspyIgnore]
    private readonly KNN _knn;

    [DspyIgnore]
    private readonly BootstrapFewShotOptions _bootstrapOptions;

    [DspyIgnore]
    private readonly IProgramEvaluator? _evaluator;

    /// <summary>
    /// Wraps <paramref name="program"/> (used as is: <see cref="KNNFewShot"/> passes a reset copy of the student). Each call
    /// bootstraps it on the call's neighbours with <paramref name="bootstrapOptions"/>, the <paramref name="teacher"/> (null:
    /// the program itself) and <paramref name="evaluator"/> (null: the in-process one); rebuilding the program a
    /// <see cref="KNNFewShot"/> compile returned from its parts (e.g. on another machine) gives the same predictions.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The bootstrap options are out of range.</exception>
    public KNNFewShotProgram(Module program, Module? teacher, KNN knn, BootstrapFewShotOptions bootstrapOptions, IProgramEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(knn);
        ArgumentNullException.ThrowIfNull(bootstrapOptions);
        _ = new BootstrapFewShot(bootstrapOptions); // checks the options now rather than on the first call
        _program = program;
        _teacher = teacher;
        _knn = knn;
        _bootstrapOptions = bootstrapOptions;
        _evaluator = evaluator;
    }

    /// <summary>The wrapped (uncompiled) program that is bootstrapped on each call.</summary>
    public Module Program => _program;

    /// <summary>The retriever.</summary>
    public KNN Knn => _knn;

    /// <summary>The teacher of the per-call bootstrapping; null means the wrapped program.</summary>
    public Module? Teacher => _teacher;

    /// <summary>The arguments of the <see cref="BootstrapFewShot"/> run on each call's neighbours.</summary>
    public BootstrapFewShotOptions BootstrapOptions => _bootstrapOptions;

    /// <summary>
    /// The program compiled for <paramref name="inputs"/>: <see cref="BootstrapFewShot"/> on their nearest trainset examples.
    /// </summary>
    public async Task<Module> CompileForAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var neighbours = await _knn.RetrieveAsync(inputs, cancellationToken);
        var bootstrap = new BootstrapFewShot(_bootstrapOptions);
        return await bootstrap.CompileAsync(_program, neighbours, new CompileOptions { Teacher = _teacher, Evaluator = _evaluator }, cancellationToken);
    }

    /// <summary>
    /// The wrapped program's state, so a saved KNNFewShot program loads as the student (as in DSPy, the per-call demos are
    /// not part of the saved state: they are chosen again on each call).
    /// </summary>
    public override Dictionary<string, object?> DumpState() => _program.DumpState();

    /// <summary>Loads <see cref="DumpState"/>'s shape into the wrapped program.</summary>
    public override void LoadState(IReadOnlyDictionary<string, object?> state, bool allowUnsafeLmState = false) => _program.LoadState(state, allowUnsafeLmState);

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var compiled = await CompileForAsync(inputs, cancellationToken);
        return await compiled.CallAsync(inputs, cancellationToken);
    }
}
