using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Embedder(model, batch_size=200, caching=True, **kwargs)</c>: turns text into float vectors through a
/// Microsoft.Extensions.AI <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> or a delegate (DSPy accepts a callable).
/// Inputs are sent in batches of <see cref="BatchSize"/>; with <see cref="Caching"/> on, each text's vector is kept in an
/// in-memory LRU shared by every embedder of the same model, so repeated texts cost no second call.
/// </summary>
public sealed class Embedder
{
    /// <summary>DSPy's default <c>batch_size</c>.</summary>
    public const int DefaultBatchSize = 200;

    /// <summary>How many vectors the shared in-memory cache holds before it drops the least recently used.</summary>
    public const long CacheCapacity = 100_000;

    // Shared across instances (like DSPy's process-wide cache) so two embedders of one model reuse each other's work.
    private static readonly MemoryLruCache<float[]> s_cache = new(CacheCapacity);

    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<float[]>>> _compute;
    private readonly string _cacheScope;

    /// <summary>Wraps an embedding generator. The cache is keyed by the generator's provider and model id (and
    /// <paramref name="options"/>' model and dimensions); a generator that reports no model id gets a cache of its own.</summary>
    /// <param name="generator">The embedding model.</param>
    /// <param name="batchSize">Texts per request.</param>
    /// <param name="caching">Whether to keep vectors in memory.</param>
    /// <param name="options">Per-request options passed to the generator (DSPy's <c>**kwargs</c>).</param>
    public Embedder(IEmbeddingGenerator<string, Embedding<float>> generator, int batchSize = DefaultBatchSize, bool caching = true,
        EmbeddingGenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Generator = generator;
        BatchSize = batchSize;
        Caching = caching;
        var metadata = generator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        var modelId = options?.ModelId ?? metadata?.DefaultModelId;
        Model = modelId ?? generator.GetType().Name;
        _cacheScope = modelId is null
            ? $"instance:{Guid.NewGuid():N}"
            : $"{metadata?.ProviderName}|{metadata?.ProviderUri}|{modelId}|{options?.Dimensions ?? metadata?.DefaultModelDimensions}";
        _compute = async (batch, ct) =>
        {
            var result = await generator.GenerateAsync(batch, options, ct).ConfigureAwait(false);
            return result.Select(e => e.Vector.ToArray()).ToList();
        };
    }

    /// <summary>Wraps a function that embeds a batch of texts (DSPy's callable <c>model</c>). Give <paramref name="model"/>
    /// a stable name to share cached vectors with other embedders of the same function; without it the cache is this
    /// instance's own.</summary>
    /// <param name="function">Returns one vector per input, in input order.</param>
    /// <param name="model">A name for the function, used in the cache key and error messages.</param>
    /// <param name="batchSize">Texts per call.</param>
    /// <param name="caching">Whether to keep vectors in memory.</param>
    public Embedder(Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<float[]>>> function, string? model = null,
        int batchSize = DefaultBatchSize, bool caching = true)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
        Caching = caching;
        Model = model ?? "callable";
        _cacheScope = model is null ? $"instance:{Guid.NewGuid():N}" : $"callable|{model}";
        _compute = function;
    }

    /// <summary>Wraps a synchronous batch function (see the asynchronous overload).</summary>
    /// <param name="function">Returns one vector per input, in input order.</param>
    /// <param name="model">A name for the function, used in the cache key and error messages.</param>
    /// <param name="batchSize">Texts per call.</param>
    /// <param name="caching">Whether to keep vectors in memory.</param>
    public Embedder(Func<IReadOnlyList<string>, IReadOnlyList<float[]>> function, string? model = null,
        int batchSize = DefaultBatchSize, bool caching = true)
        : this(WrapSync(function), model, batchSize, caching)
    {
    }

    /// <summary>The generator, when this embedder wraps one.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Generator { get; }

    /// <summary>The model id (or the function's name, or <c>callable</c>).</summary>
    public string Model { get; }

    /// <summary>Texts per request.</summary>
    public int BatchSize { get; }

    /// <summary>Whether vectors are kept in the in-memory cache.</summary>
    public bool Caching { get; }

    /// <summary>Embeds one text: a 1-D vector (DSPy returns a 1-D array for a single string).</summary>
    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = await EmbedAsync([text], cancellationToken).ConfigureAwait(false);
        return result[0];
    }

    /// <summary>Embeds several texts: one row per text, in input order (DSPy's 2-D array).</summary>
    /// <param name="texts">The texts; none may be null.</param>
    /// <param name="cancellationToken">Cancels outstanding requests.</param>
    public Task<float[][]> EmbedAsync(IEnumerable<string> texts, CancellationToken cancellationToken = default)
        => EmbedAsync(texts, null, null, cancellationToken);

    /// <summary>Embeds several texts with per-call <c>batch_size</c> and <c>caching</c> (DSPy's <c>__call__</c> arguments).</summary>
    /// <param name="texts">The texts; none may be null.</param>
    /// <param name="batchSize">Overrides <see cref="BatchSize"/> for this call.</param>
    /// <param name="caching">Overrides <see cref="Caching"/> for this call.</param>
    /// <param name="cancellationToken">Cancels outstanding requests.</param>
    public async Task<float[][]> EmbedAsync(IEnumerable<string> texts, int? batchSize, bool? caching, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var inputs = texts.ToList();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is null) throw new ArgumentException($"Embedder '{Model}': input {i} is null; every input must be a string.", nameof(texts));
        }
        var size = batchSize ?? BatchSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(batchSize));
        var useCache = caching ?? Caching;
        var output = new float[inputs.Count][];
        // Only texts not in the cache go to the model, each distinct text once.
        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (useCache && s_cache.TryGet(CacheKey(inputs[i]), out var hit)) output[i] = (float[])hit.Clone();
            else if (seen.Add(inputs[i])) missing.Add(inputs[i]);
        }
        var computed = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var start = 0; start < missing.Count; start += size)
        {
            var batch = missing.GetRange(start, Math.Min(size, missing.Count - start));
            var vectors = await _compute(batch, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Embedder '{Model}' returned no result for a batch of {batch.Count} texts.");
            if (vectors.Count != batch.Count)
            {
                throw new InvalidOperationException($"Embedder '{Model}' returned {vectors.Count} vectors for a batch of {batch.Count} texts.");
            }
            for (var j = 0; j < batch.Count; j++)
            {
                var v = vectors[j] ?? throw new InvalidOperationException($"Embedder '{Model}' returned a null vector for input '{Shorten(batch[j])}'.");
                computed[batch[j]] = v;
                // The cache keeps its own copy, so a caller that changes a returned vector cannot change later results.
                if (useCache) s_cache.Set(CacheKey(batch[j]), (float[])v.Clone());
            }
        }
        var dimension = -1;
        for (var i = 0; i < inputs.Count; i++)
        {
            output[i] ??= (float[])computed[inputs[i]].Clone();
            if (dimension < 0) dimension = output[i].Length;
            else if (output[i].Length != dimension)
            {
                throw new InvalidOperationException($"Embedder '{Model}' returned vectors of different lengths ({dimension} and {output[i].Length}).");
            }
        }
        return output;
    }

    private string CacheKey(string text) => _cacheScope + "\n" + text;

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    private static Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<float[]>>> WrapSync(Func<IReadOnlyList<string>, IReadOnlyList<float[]>> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return (batch, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(function(batch));
        };
    }
}
