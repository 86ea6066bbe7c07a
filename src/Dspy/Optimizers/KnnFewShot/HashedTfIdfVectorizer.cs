using System.Security.Cryptography;
using System.Text;

namespace Dspy;

/// <summary>
/// A deterministic, local vectorizer for <see cref="KNN"/> and <see cref="KNNFewShot"/> when no embedding model is at hand
/// (tests, the CLI, the simulated LM): hashed bag-of-words TF-IDF. Texts are lower-cased and split into word tokens
/// (numbers folded to <c>#</c>), unigrams and bigrams are hashed (FNV-1a, so vectors never depend on the process) into
/// <see cref="Dimensions"/> buckets, weighted by sub-linear term frequency times the smoothed inverse document frequency
/// of the corpus it was fitted on, and L2-normalised, so a dot product is a cosine similarity.
/// </summary>
/// <remarks>Not a semantic embedding: texts are near only when they share words. Use a real embedding model for real tasks.</remarks>
public sealed class HashedTfIdfVectorizer
{
    private readonly Dictionary<int, double> _idf;
    private readonly double _unseenIdf;
    private readonly string _corpusHash;

    private HashedTfIdfVectorizer(int dimensions, Dictionary<int, double> idf, double unseenIdf, string corpusHash)
    {
        Dimensions = dimensions;
        _idf = idf;
        _unseenIdf = unseenIdf;
        _corpusHash = corpusHash;
    }

    /// <summary>The length of every vector.</summary>
    public int Dimensions { get; }

    /// <summary>
    /// Fits the inverse document frequencies on <paramref name="corpus"/> (e.g. the texts <see cref="KNN"/> builds from a
    /// trainset with <see cref="KNN.TextOf(IEnumerable{KeyValuePair{string, object?}})"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is below 16.</exception>
    public static HashedTfIdfVectorizer Fit(IEnumerable<string> corpus, int dimensions = 4096)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 16);
        var df = new Dictionary<int, int>();
        var n = 0;
        using var corpusHash = new CorpusHash();
        foreach (var text in corpus)
        {
            n++;
            corpusHash.Add(text);
            foreach (var bucket in Terms(text ?? "", dimensions).Distinct()) df[bucket] = df.GetValueOrDefault(bucket) + 1;
        }
        // scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1, so a term in every document still counts a little.
        var idf = df.ToDictionary(kv => kv.Key, kv => Math.Log((1.0 + n) / (1.0 + kv.Value)) + 1);
        return new HashedTfIdfVectorizer(dimensions, idf, Math.Log(1.0 + n) + 1, corpusHash.Finish());
    }

    /// <summary>
    /// Whether this vectorizer was fitted on exactly <paramref name="corpus"/> (the same texts in the same order), so that
    /// <c>Fit(corpus, Dimensions)</c> rebuilds it: what lets a program using it be described by value (the corpus it
    /// was fitted on and the dimensions) and rebuilt on another machine.
    /// </summary>
    public bool IsFittedOn(IEnumerable<string> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        using var hash = new CorpusHash();
        foreach (var text in corpus) hash.Add(text);
        return string.Equals(hash.Finish(), _corpusHash, StringComparison.Ordinal);
    }

    /// <summary>Embeds the texts (the shape <see cref="KNN"/> takes as its vectorizer).</summary>
    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(texts.Select(Embed).ToArray());
    }

    /// <summary>Embeds one text.</summary>
    public float[] Embed(string text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var bucket in Terms(text ?? "", Dimensions)) counts[bucket] = counts.GetValueOrDefault(bucket) + 1;
        var vector = new float[Dimensions];
        double norm = 0;
        foreach (var (bucket, count) in counts)
        {
            var weight = (1 + Math.Log(count)) * _idf.GetValueOrDefault(bucket, _unseenIdf);
            vector[bucket] = (float)weight;
            norm += weight * weight;
        }
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < vector.Length; i++) vector[i] *= scale;
        }
        return vector;
    }

    private static IEnumerable<int> Terms(string text, int dimensions)
    {
        var words = Words(text);
        for (var i = 0; i < words.Count; i++)
        {
            yield return Bucket(words[i], dimensions);
            if (i + 1 < words.Count) yield return Bucket(words[i] + " " + words[i + 1], dimensions);
        }
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        void Flush()
        {
            if (sb.Length == 0) return;
            var word = sb.ToString();
            words.Add(word.All(char.IsDigit) ? "#" : word);
            sb.Clear();
        }
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else Flush();
        }
        Flush();
        return words;
    }

    // SHA-256 over the corpus, each text length-prefixed so that no two corpora (["ab"] and ["a", "b"]) hash alike.
    private sealed class CorpusHash : IDisposable
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Add(string? text)
        {
            var bytes = Encoding.UTF8.GetBytes(text ?? "");
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            _sha.AppendData(length);
            _sha.AppendData(bytes);
        }

        public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset());

        public void Dispose() => _sha.Dispose();
    }

    private static int Bucket(string term, int dimensions)
    {
        // FNV-1a over UTF-8: stable across processes and platforms (string.GetHashCode is randomised per process).
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(term))
        {
            hash ^= b;
            hash *= 16777619;
        }
        return (int)(hash % (uint)dimensions);
    }
}
