namespace Dspy;

/// <summary>
/// DSPy's <c>KNNFewShot(k, trainset, vectorizer, **few_shot_bootstrap_args)</c>: demos chosen per input. Compiling returns
/// a <see cref="KNNFewShotProgram"/> around a reset copy of the student; on <b>every</b> call it finds the
/// <see cref="KNN.K"/> trainset examples nearest to the call's inputs (<see cref="KNN"/>), compiles the student on them with
/// <see cref="BootstrapFewShot"/> (<see cref="BootstrapOptions"/>, DSPy's <c>few_shot_bootstrap_args</c>), and runs the
/// compiled program. Bootstrapping costs teacher LM calls per call; with the LM cache on, a neighbour set seen before is
/// bootstrapped from the cache.
/// </summary>
/// <remarks>
/// DSPy patches <c>forward</c> on the student's copy, so the returned program keeps the student's predictor names. A C#
/// module cannot swap its own <c>forward</c>, so the returned program wraps the copy: its predictors are named
/// <c>program.&lt;name&gt;</c>. The per-call bootstrapping is handed <see cref="CompileOptions.Evaluator"/> of the
/// compile call.
/// </remarks>
public sealed class KNNFewShot : Teleprompter
{
    /// <summary>Creates the optimizer with a vectorizer function (an <c>Embedder</c>'s embed method, <see cref="HashedTfIdfVectorizer.EmbedAsync"/> ...).</summary>
    public KNNFewShot(int k, IReadOnlyList<Example> trainset, Func<IReadOnlyList<string>, CancellationToken, Task<float[][]>> vectorizer,
        BootstrapFewShotOptions? bootstrapOptions = null)
        : this(new KNN(k, trainset, vectorizer), bootstrapOptions)
    {
    }

    /// <summary>
    /// Creates the optimizer with the local <see cref="HashedTfIdfVectorizer"/>; fitted on <see cref="KNN.TextsOf"/> of the
    /// trainset, the compiled program can be rebuilt by value on a cluster's silos.
    /// </summary>
    public KNNFewShot(int k, IReadOnlyList<Example> trainset, HashedTfIdfVectorizer vectorizer, BootstrapFewShotOptions? bootstrapOptions = null)
        : this(new KNN(k, trainset, vectorizer), bootstrapOptions)
    {
    }

    /// <summary>Creates the optimizer with a Microsoft.Extensions.AI embedding generator as the vectorizer.</summary>
    public KNNFewShot(int k, IReadOnlyList<Example> trainset, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator,
        BootstrapFewShotOptions? bootstrapOptions = null)
        : this(new KNN(k, trainset, generator), bootstrapOptions)
    {
    }

    /// <summary>Creates the optimizer around a ready <see cref="KNN"/>.</summary>
    public KNNFewShot(KNN knn, BootstrapFewShotOptions? bootstrapOptions = null)
    {
        ArgumentNullException.ThrowIfNull(knn);
        Knn = knn;
        BootstrapOptions = bootstrapOptions ?? new BootstrapFewShotOptions();
        // Validate the bootstrap arguments now rather than on the first call.
        _ = new BootstrapFewShot(BootstrapOptions);
    }

    /// <summary>The nearest-neighbour retriever over the trainset.</summary>
    public KNN Knn { get; }

    /// <summary>The arguments of the <see cref="BootstrapFewShot"/> run on each call's neighbours.</summary>
    public BootstrapFewShotOptions BootstrapOptions { get; }

    /// <summary>
    /// DSPy's <c>compile(student, *, teacher=None)</c>. The <paramref name="trainset"/> argument is ignored (the trainset is
    /// the one given to the constructor, as in DSPy); <see cref="CompileOptions.Teacher"/> is the bootstrapping teacher.
    /// No LM call is made here.
    /// </summary>
    public override Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        cancellationToken.ThrowIfCancellationRequested();
        options?.Progress?.Report(CreateEvent(OptimizerEventKind.Started, message: $"k={Knn.K} over {Knn.Trainset.Count} examples") with { TotalTrials = 0 });
        Module program = new KNNFewShotProgram(student.ResetCopy(), options?.Teacher?.DeepCopy(), Knn, BootstrapOptions, options?.Evaluator);
        options?.Progress?.Report(CreateEvent(OptimizerEventKind.Finished, message: "demos are chosen and bootstrapped on each call"));
        return Task.FromResult(program);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams()
    {
        var bootstrap = new BootstrapFewShot(BootstrapOptions).GetParams();
        var result = new Dictionary<string, object?>(StringComparer.Ordinal) { ["k"] = (long)Knn.K, ["trainset_size"] = (long)Knn.Trainset.Count };
        foreach (var (key, value) in bootstrap) result[key] = value;
        return result;
    }
}
