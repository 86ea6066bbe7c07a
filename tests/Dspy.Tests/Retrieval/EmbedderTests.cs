using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Retrieval;

public class EmbedderTests
{
    private static string UniqueModel() => "bow-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Batches_inputs_by_batch_size_and_keeps_input_order()
    {
        var gen = new CountingEmbeddingGenerator(modelId: UniqueModel());
        var embedder = new Embedder(gen, batchSize: 2, caching: false);
        var texts = new[] { "a cat", "a dog", "the sun", "blue sky", "green tree" };

        var vectors = await embedder.EmbedAsync(texts);

        Assert.Equal([2, 2, 1], gen.Batches.Select(b => b.Count));
        Assert.Equal(texts, gen.Batches.SelectMany(b => b));
        Assert.Equal(5, vectors.Length);
        for (var i = 0; i < texts.Length; i++) Assert.Equal(CountingEmbeddingGenerator.Vector(texts[i], 64), vectors[i]);
    }

    [Fact]
    public async Task One_string_gives_one_vector_and_a_list_gives_rows()
    {
        var embedder = new Embedder(new CountingEmbeddingGenerator(dimension: 16, modelId: UniqueModel()));
        var one = await embedder.EmbedAsync("hello world");
        var rows = await embedder.EmbedAsync(["hello world", "bye"]);
        Assert.Equal(16, one.Length);
        Assert.Equal(2, rows.Length);
        Assert.Equal(one, rows[0]);
    }

    [Fact]
    public async Task Caching_skips_texts_already_embedded_and_sends_each_distinct_text_once()
    {
        var gen = new CountingEmbeddingGenerator(modelId: UniqueModel());
        var embedder = new Embedder(gen);
        await embedder.EmbedAsync(["x y", "x y", "z"]);
        Assert.Equal(["x y", "z"], gen.Batches.Single());

        var again = await embedder.EmbedAsync(["z", "new text"]);
        Assert.Equal(2, gen.Batches.Count);
        Assert.Equal(["new text"], gen.Batches[1]);
        Assert.Equal(CountingEmbeddingGenerator.Vector("z", 64), again[0]);

        // Per-call override: no cache.
        await embedder.EmbedAsync(["z"], batchSize: null, caching: false);
        Assert.Equal(["z"], gen.Batches[2]);
    }

    [Fact]
    public async Task Cache_is_shared_by_model_id_and_separate_across_models()
    {
        var model = UniqueModel();
        var first = new CountingEmbeddingGenerator(modelId: model);
        var second = new CountingEmbeddingGenerator(modelId: model);
        var other = new CountingEmbeddingGenerator(modelId: UniqueModel());
        await new Embedder(first).EmbedAsync("shared text");
        await new Embedder(second).EmbedAsync("shared text");
        await new Embedder(other).EmbedAsync("shared text");
        Assert.Single(first.Batches);
        Assert.Empty(second.Batches);
        Assert.Single(other.Batches);
    }

    [Fact]
    public async Task Without_a_model_id_each_embedder_has_its_own_cache()
    {
        var a = new CountingEmbeddingGenerator(modelId: null);
        var b = new CountingEmbeddingGenerator(modelId: null);
        await new Embedder(a).EmbedAsync("text");
        await new Embedder(b).EmbedAsync("text");
        Assert.Single(a.Batches);
        Assert.Single(b.Batches);
    }

    [Fact]
    public async Task Changing_a_returned_vector_does_not_change_the_cache()
    {
        var embedder = new Embedder(new CountingEmbeddingGenerator(modelId: UniqueModel()));
        var v = await embedder.EmbedAsync("stable words");
        var original = (float[])v.Clone();
        v[0] = 999;
        Assert.Equal(original, await embedder.EmbedAsync("stable words"));
    }

    [Fact]
    public async Task Delegate_embedder_batches_and_caches()
    {
        var calls = new List<int>();
        var embedder = new Embedder(batch =>
        {
            calls.Add(batch.Count);
            return batch.Select(t => new float[] { t.Length, 1 }).ToList();
        }, batchSize: 3);
        var rows = await embedder.EmbedAsync(["a", "bb", "ccc", "dddd"]);
        Assert.Equal([3, 1], calls);
        Assert.Equal(new float[] { 4, 1 }, rows[3]);
        Assert.Equal("callable", embedder.Model);
        await embedder.EmbedAsync("bb");
        Assert.Equal(2, calls.Count);
    }

    [Fact]
    public async Task Async_delegate_is_supported()
    {
        var embedder = new Embedder(async (batch, ct) =>
        {
            await Task.Yield();
            return batch.Select(t => new float[] { t.Length }).ToList();
        }, model: UniqueModel());
        Assert.Equal(new float[] { 3 }, await embedder.EmbedAsync("abc"));
    }

    [Fact]
    public async Task Bad_results_and_bad_input_give_specific_errors()
    {
        var tooFew = new Embedder(batch => [new float[] { 1 }], caching: false);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => tooFew.EmbedAsync(["a", "b"]));
        Assert.Contains("returned 1 vectors for a batch of 2", ex.Message, StringComparison.Ordinal);

        var ragged = new Embedder(batch => batch.Select(t => new float[t.Length]).ToList(), caching: false);
        var ex2 = await Assert.ThrowsAsync<InvalidOperationException>(() => ragged.EmbedAsync(["a", "bb"]));
        Assert.Contains("different lengths", ex2.Message, StringComparison.Ordinal);

        var ok = new Embedder(batch => batch.Select(_ => new float[1]).ToList(), caching: false);
        var ex3 = await Assert.ThrowsAsync<ArgumentException>(() => ok.EmbedAsync(["a", null!]));
        Assert.Contains("input 1 is null", ex3.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedder(new CountingEmbeddingGenerator(), batchSize: 0));
    }
}
