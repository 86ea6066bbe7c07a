using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.KNN(k, trainset, vectorizer)</c>: finds the <see cref="K"/> trainset examples nearest to a set of inputs.
/// Each example is embedded as DSPy writes it, <c>"key: value | key: value"</c> over its input keys in the example's
/// order, and the query the same way over the given inputs; examples are ranked by the dot product of the vectors,
/// highest first (ties: the later example first, as reversing a stable ascending sort gives).
/// </summary>
/// <remarks>
/// The vectorizer is any function from texts to vectors: an <c>Embedder</c>'s embed method, an
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (Microsoft.Extensions.AI), or the local
/// <see cref="HashedTfIdfVectorizer"/>. The trainset is embedded once, on the first call.
/// </remarks>
public sealed class KNN
{
    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<float[][]>> _vectorizer;
    private readonly Lazy<Task<float[][]>> _trainsetVectors;

    /// <summary>Creates the retriever with a vectorizer function.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    /// <exception cref="ArgumentException">An example of <paramref name="trainset"/> has no input keys.</exception>
    public KNN(int k, IReadOnlyList<Example> trainset, Func<IReadOnlyList<string>, CancellationToken, Task<float[][]>> vectorizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentNullException.ThrowIfNull(vectorizer);
        var texts = TextsOf(trainset);
        K = k;
        Trainset = [.. trainset];
        TrainsetTexts = texts;
        _vectorizer = vectorizer;
        // The trainset's vectors do not depend on the caller, so they are computed once and never cancelled by one caller.
        _trainsetVectors = new(() => EmbedCheckedAsync(texts, CancellationToken.None), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Creates the retriever with the local <see cref="HashedTfIdfVectorizer"/> (kept as <see cref="LocalVectorizer"/>, so a
    /// program around this retriever can be described by value and rebuilt elsewhere, e.g. on the silos of a cluster).
    /// </summary>
    public KNN(int k, IReadOnlyList<Example> trainset, HashedTfIdfVectorizer vectorizer)
        : this(k, trainset, (vectorizer ?? throw new ArgumentNullException(nameof(vectorizer))).EmbedAsync)
    {
        LocalVectorizer = vectorizer;
    }

    /// <summary>Creates the retriever with a Microsoft.Extensions.AI embedding generator as the vectorizer.</summary>
    public KNN(int k, IReadOnlyList<Example> trainset, IEmbeddingGenerator<string, Embedding<float>> generator)
        : this(k, trainset, FromGenerator(generator))
    {
    }

    /// <summary>The number of neighbours returned.</summary>
    public int K { get; }

    /// <summary>The examples searched.</summary>
    public IReadOnlyList<Example> Trainset { get; }

    /// <summary>The text embedded for each trainset example (<c>"key: value | ..."</c> over its inputs).</summary>
    public IReadOnlyList<string> TrainsetTexts { get; }

    /// <summary>The vectorizer when it is the local <see cref="HashedTfIdfVectorizer"/>; null for a function or an embedding generator.</summary>
    public HashedTfIdfVectorizer? LocalVectorizer { get; }

    /// <summary>DSPy's <c>knn(**inputs)</c>: the <see cref="K"/> nearest trainset examples, nearest first.</summary>
    /// <exception cref="InvalidOperationException">The vectorizer returned the wrong number of vectors or mismatched dimensions.</exception>
    public async Task<IReadOnlyList<Example>> RetrieveAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var trainVectors = await _trainsetVectors.Value.ConfigureAwait(false);
        var query = (await EmbedCheckedAsync([TextOf(inputs)], cancellationToken).ConfigureAwait(false))[0];
        var scores = new double[trainVectors.Length];
        for (var i = 0; i < trainVectors.Length; i++)
        {
            if (trainVectors[i].Length != query.Length)
                throw new InvalidOperationException($"The vectorizer returned a {query.Length}-dimensional query vector but {trainVectors[i].Length}-dimensional trainset vectors.");
            double dot = 0;
            for (var d = 0; d < query.Length; d++) dot += trainVectors[i][d] * query[d];
            scores[i] = dot;
        }
        // numpy's argsort()[-k:][::-1] with a stable sort: highest score first, equal scores later index first.
        return Enumerable.Range(0, scores.Length)
            .OrderByDescending(i => scores[i]).ThenByDescending(i => i)
            .Take(K).Select(i => Trainset[i]).ToList();
    }

    /// <summary>
    /// The texts <see cref="KNN"/> embeds for <paramref name="trainset"/> (<see cref="TrainsetTexts"/>), e.g. to fit a
    /// <see cref="HashedTfIdfVectorizer"/> on before the retriever exists.
    /// </summary>
    /// <exception cref="ArgumentException">An example is null or has no input keys.</exception>
    public static IReadOnlyList<string> TextsOf(IReadOnlyList<Example> trainset)
    {
        ArgumentNullException.ThrowIfNull(trainset);
        var texts = new List<string>(trainset.Count);
        for (var i = 0; i < trainset.Count; i++)
        {
            var example = trainset[i] ?? throw new ArgumentException($"trainset[{i}] is null.", nameof(trainset));
            if (example.InputKeys is null)
                throw new ArgumentException($"trainset[{i}] has no input keys; call WithInputs(...) on the examples KNN searches.", nameof(trainset));
            texts.Add(TextOf(example.Items().Where(kv => example.InputKeys.Contains(kv.Key))));
        }
        return texts;
    }

    /// <summary>DSPy's text for an example or a call's inputs: <c>" | ".join(f"{key}: {value}")</c> with Python's <c>str</c> of each value.</summary>
    public static string TextOf(IEnumerable<KeyValuePair<string, object?>> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return string.Join(" | ", inputs.Select(kv => $"{kv.Key}: {PythonRepr.Str(kv.Value)}"));
    }

    private async Task<float[][]> EmbedCheckedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var vectors = await _vectorizer(texts, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The vectorizer returned null.");
        if (vectors.Length != texts.Count)
            throw new InvalidOperationException($"The vectorizer returned {vectors.Length} vectors for {texts.Count} texts.");
        return vectors;
    }

    private static Func<IReadOnlyList<string>, CancellationToken, Task<float[][]>> FromGenerator(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return async (texts, ct) =>
        {
            var embeddings = await generator.GenerateAsync(texts, cancellationToken: ct).ConfigureAwait(false);
            return embeddings.Select(e => e.Vector.ToArray()).ToArray();
        };
    }
}
