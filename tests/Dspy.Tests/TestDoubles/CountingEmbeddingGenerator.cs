using Microsoft.Extensions.AI;

namespace Dspy.Tests.TestDoubles;

/// <summary>
/// A hand-written embedding generator for tests: each text becomes a bag of hashed lower-case words (so texts sharing
/// words are close), and every request's batch is recorded.
/// </summary>
internal sealed class CountingEmbeddingGenerator(int dimension = 64, string? modelId = "test-bow") : IEmbeddingGenerator<string, Embedding<float>>
{
    public List<List<string>> Batches { get; } = [];

    public int Dimension => dimension;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var batch = values.ToList();
        lock (Batches) Batches.Add(batch);
        var result = new GeneratedEmbeddings<Embedding<float>>(batch.Select(t => new Embedding<float>(Vector(t, dimension))));
        return Task.FromResult(result);
    }

    public static float[] Vector(string text, int dimension)
    {
        var v = new float[dimension];
        foreach (var word in text.ToLowerInvariant().Split([' ', ',', '.', '?', '!'], StringSplitOptions.RemoveEmptyEntries))
        {
            // A stable hash (string.GetHashCode is randomised per process).
            uint h = 2166136261;
            foreach (var c in word) h = (h ^ c) * 16777619;
            v[h % (uint)dimension] += 1;
        }
        return v;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, modelId, dimension) : null;

    public void Dispose()
    {
    }
}
