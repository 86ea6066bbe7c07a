using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.retrievers.Embeddings(corpus, embedder, k=5, brute_force_threshold=20_000, normalize=True)</c>: in-memory
/// dense retrieval. The corpus is embedded once; a query returns <c>Prediction(passages, indices)</c> with the
/// <see cref="K"/> passages of highest dot product (cosine when <see cref="Normalize"/> is on). Corpora smaller than
/// <see cref="BruteForceThreshold"/> are searched exactly; from the threshold up an <see cref="IvfIndex"/> picks
/// 10 x k candidates from the nearest partitions and those are re-scored exactly, as DSPy does with FAISS.
/// Ties go to the lower corpus index, so results are deterministic.
/// </summary>
public sealed class Embeddings
{
    /// <summary>DSPy's default <c>k</c>.</summary>
    public const int DefaultK = 5;

    /// <summary>DSPy's default <c>brute_force_threshold</c>.</summary>
    public const int DefaultBruteForceThreshold = 20_000;

    /// <summary>Candidates fetched from the approximate index per result (DSPy asks FAISS for k x 10).</summary>
    public const int CandidatesPerResult = 10;

    private const string ConfigFile = "config.json";
    private const string EmbeddingsFile = "corpus_embeddings.npy";
    private const string CentroidsFile = "ivf_centroids.npy";
    private const string AssignmentsFile = "ivf_assignments.npy";

    private readonly string[] _corpus;
    private readonly float[] _vectors; // corpus x Dimension, row-major; normalised when Normalize is on
    private int _k;

    private Embeddings(string[] corpus, float[] vectors, int dimension, Embedder embedder, int k, int bruteForceThreshold, bool normalize, IvfIndex? index)
    {
        _corpus = corpus;
        _vectors = vectors;
        Dimension = dimension;
        Embedder = embedder;
        K = k;
        BruteForceThreshold = bruteForceThreshold;
        Normalize = normalize;
        Index = index;
    }

    /// <summary>The passages, in corpus order (indices refer to this list).</summary>
    public IReadOnlyList<string> Corpus => _corpus;

    /// <summary>Embeds queries (and embedded the corpus).</summary>
    public Embedder Embedder { get; }

    /// <summary>Passages returned per query.</summary>
    public int K
    {
        get => _k;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(K));
            _k = value;
        }
    }

    /// <summary>Corpus size from which the approximate index is used.</summary>
    public int BruteForceThreshold { get; }

    /// <summary>Whether vectors are L2-normalised, making the dot product a cosine.</summary>
    public bool Normalize { get; }

    /// <summary>Vector length.</summary>
    public int Dimension { get; }

    /// <summary>The approximate index, or null when the corpus is searched exactly.</summary>
    public IvfIndex? Index { get; }

    /// <summary>Embeds <paramref name="corpus"/> and builds the retriever.</summary>
    /// <param name="corpus">The passages; at least one, none null.</param>
    /// <param name="embedder">Embeds the corpus now and every query later.</param>
    /// <param name="k">Passages per query.</param>
    /// <param name="bruteForceThreshold">From this corpus size up an <see cref="IvfIndex"/> is built.</param>
    /// <param name="normalize">L2-normalise vectors (cosine similarity).</param>
    /// <param name="seed">Seed of the index's k-means (only used when an index is built).</param>
    /// <param name="cancellationToken">Cancels embedding.</param>
    public static async Task<Embeddings> CreateAsync(IEnumerable<string> corpus, Embedder embedder, int k = DefaultK,
        int bruteForceThreshold = DefaultBruteForceThreshold, bool normalize = true, ulong seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(embedder);
        var passages = CheckCorpus(corpus);
        var vectors = await embedder.EmbedAsync(passages, cancellationToken).ConfigureAwait(false);
        return FromVectors(passages, vectors, embedder, k, bruteForceThreshold, normalize, seed);
    }

    /// <summary>Builds the retriever from vectors computed beforehand (one per passage, by <paramref name="embedder"/>'s model).</summary>
    /// <param name="corpus">The passages.</param>
    /// <param name="vectors">One vector per passage, all the same length.</param>
    /// <param name="embedder">Embeds queries.</param>
    /// <param name="k">Passages per query.</param>
    /// <param name="bruteForceThreshold">From this corpus size up an <see cref="IvfIndex"/> is built.</param>
    /// <param name="normalize">L2-normalise vectors (cosine similarity).</param>
    /// <param name="seed">Seed of the index's k-means.</param>
    public static Embeddings FromVectors(IEnumerable<string> corpus, IReadOnlyList<float[]> vectors, Embedder embedder, int k = DefaultK,
        int bruteForceThreshold = DefaultBruteForceThreshold, bool normalize = true, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bruteForceThreshold, 1);
        var passages = CheckCorpus(corpus);
        if (vectors.Count != passages.Length) throw new ArgumentException($"Embeddings: {vectors.Count} vectors for {passages.Length} passages.", nameof(vectors));
        var dimension = vectors[0]?.Length ?? 0;
        if (dimension == 0) throw new ArgumentException("Embeddings: the embedder returned an empty vector for passage 0.", nameof(vectors));
        var flat = new float[passages.Length * dimension];
        for (var i = 0; i < vectors.Count; i++)
        {
            if (vectors[i] is null || vectors[i].Length != dimension)
            {
                throw new ArgumentException($"Embeddings: passage {i} has a vector of length {vectors[i]?.Length ?? 0}, passage 0 of {dimension}.", nameof(vectors));
            }
            vectors[i].CopyTo(flat, i * dimension);
            if (normalize) NormalizeInPlace(flat.AsSpan(i * dimension, dimension));
        }
        var index = passages.Length >= bruteForceThreshold ? IvfIndex.Build(flat, dimension, seed: seed) : null;
        return new Embeddings(passages, flat, dimension, embedder, k, bruteForceThreshold, normalize, index);
    }

    /// <summary>Retrieves the top <see cref="K"/> passages: <c>Prediction(passages=[...], indices=[...])</c>.</summary>
    public async Task<Prediction> CallAsync(string query, CancellationToken cancellationToken = default)
    {
        var (passages, indices, _) = await SearchAsync(query, null, cancellationToken).ConfigureAwait(false);
        return new Prediction([new("passages", passages), new("indices", indices)]);
    }

    /// <summary>DSPy's <c>EmbeddingsWithScores</c>: like <see cref="CallAsync"/> plus <c>scores</c>, the dot products.</summary>
    public async Task<Prediction> CallWithScoresAsync(string query, CancellationToken cancellationToken = default)
    {
        var (passages, indices, scores) = await SearchAsync(query, null, cancellationToken).ConfigureAwait(false);
        return new Prediction([new("passages", passages), new("indices", indices), new("scores", scores)]);
    }

    /// <summary>Retrieves for several queries at once (one embedding call for all of them), in query order.</summary>
    public async Task<IReadOnlyList<Prediction>> BatchAsync(IEnumerable<string> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var list = queries.ToList();
        var vectors = await Embedder.EmbedAsync(list, cancellationToken).ConfigureAwait(false);
        return vectors.Select(v =>
        {
            var (passages, indices, _) = Search(v, K);
            return new Prediction([new("passages", passages), new("indices", indices)]);
        }).ToList();
    }

    /// <summary>The top passages for <paramref name="query"/>, with their corpus indices and scores, best first.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="k">Overrides <see cref="K"/> for this call.</param>
    /// <param name="cancellationToken">Cancels the query embedding.</param>
    public async Task<(List<string> Passages, List<int> Indices, List<double> Scores)> SearchAsync(string query, int? k = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (k is < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        var vector = await Embedder.EmbedAsync(query, cancellationToken).ConfigureAwait(false);
        return Search(vector, k ?? K);
    }

    /// <summary>Exact top-k over the whole corpus, ignoring the index (the reference the approximate search is measured against).</summary>
    public IReadOnlyList<int> ExactSearch(float[] queryVector, int k)
    {
        ArgumentNullException.ThrowIfNull(queryVector);
        var q = PrepareQuery(queryVector);
        return TopK(q, null, k).Select(x => x.Index).ToList();
    }

    /// <summary>Top-k for a query vector as the retriever answers it (through the index when there is one).</summary>
    public IReadOnlyList<int> SearchVector(float[] queryVector, int k)
    {
        ArgumentNullException.ThrowIfNull(queryVector);
        return Search(queryVector, k).Indices;
    }

    private (List<string> Passages, List<int> Indices, List<double> Scores) Search(float[] queryVector, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var q = PrepareQuery(queryVector);
        var candidates = Index?.Candidates(q);
        // The candidate partitions may hold fewer than k x 10 vectors; that is what the index offers, as in FAISS.
        var top = TopK(q, candidates, k);
        return (top.Select(t => _corpus[t.Index]).ToList(), top.Select(t => t.Index).ToList(), top.Select(t => (double)t.Score).ToList());
    }

    private float[] PrepareQuery(float[] queryVector)
    {
        if (queryVector.Length != Dimension)
        {
            throw new ArgumentException($"Embeddings: the query vector has {queryVector.Length} dimensions, the corpus {Dimension}.", nameof(queryVector));
        }
        var q = (float[])queryVector.Clone();
        if (Normalize) NormalizeInPlace(q);
        return q;
    }

    private List<(int Index, float Score)> TopK(float[] q, int[]? candidates, int k)
    {
        var count = candidates?.Length ?? _corpus.Length;
        var scored = new (int Index, float Score)[count];
        for (var i = 0; i < count; i++)
        {
            var id = candidates?[i] ?? i;
            scored[i] = (id, TensorPrimitives.Dot<float>(q, _vectors.AsSpan(id * Dimension, Dimension)));
        }
        Array.Sort(scored, (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        return scored.Take(Math.Min(k, count)).ToList();
    }

    /// <summary>Saves the corpus, the vectors (<c>corpus_embeddings.npy</c>, numpy-readable), the settings (<c>config.json</c>)
    /// and the index if any to the folder <paramref name="path"/>, which is created if needed (DSPy's <c>save(path)</c>).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Directory.CreateDirectory(path);
        var config = new JsonObject
        {
            ["k"] = K,
            ["normalize"] = Normalize,
            ["brute_force_threshold"] = BruteForceThreshold,
            ["dimension"] = Dimension,
            ["model"] = Embedder.Model,
            ["has_index"] = Index is not null,
            ["nprobe"] = Index?.NProbe,
            ["corpus"] = new JsonArray(_corpus.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        };
        File.WriteAllText(Path.Combine(path, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        NpyFile.WriteFloat32(Path.Combine(path, EmbeddingsFile), _vectors, _corpus.Length, Dimension);
        if (Index is not null)
        {
            NpyFile.WriteFloat32(Path.Combine(path, CentroidsFile), Index.Centroids.ToArray(), Index.Partitions, Dimension);
            NpyFile.WriteInt32(Path.Combine(path, AssignmentsFile), Index.Assignments.ToArray());
        }
        else
        {
            File.Delete(Path.Combine(path, CentroidsFile));
            File.Delete(Path.Combine(path, AssignmentsFile));
        }
    }

    /// <summary>Loads a retriever saved by <see cref="Save"/>; <paramref name="embedder"/> embeds new queries and must be the model
    /// the corpus was embedded with (DSPy's <c>Embeddings.from_saved(path, embedder)</c>).</summary>
    /// <exception cref="FileNotFoundException">A saved file is missing.</exception>
    /// <exception cref="InvalidDataException">The files are inconsistent.</exception>
    public static Embeddings Load(string path, Embedder embedder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(embedder);
        var configPath = Path.Combine(path, ConfigFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"Embeddings.Load: no {ConfigFile} in '{path}'.", configPath);
        var config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
            ?? throw new InvalidDataException($"{configPath}: expected a JSON object.");
        var corpus = (config["corpus"] as JsonArray ?? throw new InvalidDataException($"{configPath}: no 'corpus' list."))
            .Select((n, i) => n?.GetValue<string>() ?? throw new InvalidDataException($"{configPath}: corpus[{i}] is null.")).ToArray();
        var k = config["k"]?.GetValue<int>() ?? DefaultK;
        var normalize = config["normalize"]?.GetValue<bool>() ?? true;
        var threshold = config["brute_force_threshold"]?.GetValue<int>() ?? DefaultBruteForceThreshold;
        var (vectors, rows, columns) = NpyFile.ReadFloat32(RequireFile(path, EmbeddingsFile));
        if (rows != corpus.Length) throw new InvalidDataException($"{path}: {rows} embeddings for {corpus.Length} passages.");
        IvfIndex? index = null;
        if (config["has_index"]?.GetValue<bool>() == true)
        {
            var (centroids, _, centroidColumns) = NpyFile.ReadFloat32(RequireFile(path, CentroidsFile));
            if (centroidColumns != columns) throw new InvalidDataException($"{path}: centroids have {centroidColumns} dimensions, embeddings {columns}.");
            var assignments = NpyFile.ReadInt32(RequireFile(path, AssignmentsFile));
            if (assignments.Length != rows) throw new InvalidDataException($"{path}: {assignments.Length} index assignments for {rows} embeddings.");
            var nprobe = config["nprobe"]?.GetValue<int>() ?? IvfIndex.DefaultNProbe(centroids.Length / columns);
            index = IvfIndex.FromParts(columns, nprobe, centroids, assignments);
        }
        return new Embeddings(corpus, vectors, columns, embedder, k, threshold, normalize, index);
    }

    private static string RequireFile(string folder, string name)
    {
        var p = Path.Combine(folder, name);
        return File.Exists(p) ? p : throw new FileNotFoundException($"Embeddings.Load: '{folder}' has no {name}.", p);
    }

    private static string[] CheckCorpus(IEnumerable<string> corpus)
    {
        var passages = corpus.ToArray();
        if (passages.Length == 0) throw new ArgumentException("Embeddings: the corpus is empty.", nameof(corpus));
        var nullAt = Array.FindIndex(passages, p => p is null);
        if (nullAt >= 0) throw new ArgumentException($"Embeddings: corpus[{nullAt}] is null.", nameof(corpus));
        return passages;
    }

    private static void NormalizeInPlace(Span<float> v)
    {
        // DSPy divides by max(norm, 1e-10), so a zero vector stays zero instead of becoming NaN.
        var norm = Math.Max(TensorPrimitives.Norm<float>(v), 1e-10f);
        TensorPrimitives.Divide(v, norm, v);
    }
}
