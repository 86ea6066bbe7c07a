using Microsoft.Extensions.AI;

namespace Dspy.Tests.Retrieval;

/// <summary>Loads the offline model once for the class (about 90 MB).</summary>
public sealed class LocalModelFixture : IDisposable
{
    public LocalEmbeddingGenerator Generator { get; } = new(batchSize: 4);

    public void Dispose() => Generator.Dispose();
}

public class LocalEmbeddingGeneratorTests(LocalModelFixture fixture) : IClassFixture<LocalModelFixture>
{
    private readonly LocalEmbeddingGenerator _model = fixture.Generator;

    private async Task<float[][]> Embed(params string[] texts) =>
        (await _model.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray();

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    [Fact]
    public async Task Vectors_have_384_dimensions_and_unit_length()
    {
        var vectors = await Embed("A short sentence.", "", "Another, rather longer sentence about something else entirely.");
        Assert.All(vectors, v =>
        {
            Assert.Equal(384, v.Length);
            Assert.Equal(1.0, Math.Sqrt(Dot(v, v)), 4);
        });
        var metadata = (EmbeddingGeneratorMetadata)_model.GetService(typeof(EmbeddingGeneratorMetadata))!;
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
    }

    [Theory]
    [InlineData("A man is eating food.", "A man is eating a piece of bread.", "The stock market fell sharply today.")]
    [InlineData("How do I reset my password?", "I forgot my login credentials and need new ones.", "The recipe needs two cups of flour.")]
    [InlineData("The cat is sleeping on the sofa.", "A kitten naps on the couch.", "Interest rates were raised by the central bank.")]
    [InlineData("Where can I buy train tickets?", "How do I purchase a rail pass?", "Photosynthesis turns light into chemical energy.")]
    public async Task Semantically_close_sentences_score_higher_than_unrelated_ones(string anchor, string close, string unrelated)
    {
        var v = await Embed(anchor, close, unrelated);
        var near = Dot(v[0], v[1]);
        var far = Dot(v[0], v[2]);
        Assert.True(near > far + 0.2, $"close {near:F3} vs unrelated {far:F3}");
    }

    [Fact]
    public async Task Known_sentence_pair_has_the_reference_similarity()
    {
        // all-MiniLM-L6-v2 gives these two sentences a cosine of about 0.755 (sentence-transformers' own example pair).
        var v = await Embed("A man is eating food.", "A man is eating a piece of bread.");
        Assert.Equal(0.755, Dot(v[0], v[1]), 2);
    }

    [Fact]
    public async Task Batching_and_padding_do_not_change_the_vectors()
    {
        string[] texts = ["one", "a somewhat longer sentence with more tokens in it", "two words", "x", "the last text of the batch"];
        var together = await Embed(texts);
        Assert.Equal(5, together.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = (await Embed(texts[i]))[0];
            for (var k = 0; k < 384; k++) Assert.Equal(alone[k], together[i][k], 4);
        }
    }

    [Fact]
    public void Long_texts_are_cut_to_the_token_limit_with_cls_and_sep()
    {
        var text = string.Join(' ', Enumerable.Repeat("retrieval", 600));
        var ids = _model.Tokenize(text);
        Assert.Equal(256, ids.Count);
        Assert.Equal(101, ids[0]); // [CLS]
        Assert.Equal(102, ids[^1]); // [SEP]
        var shortIds = _model.Tokenize("Hello, World!");
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], shortIds); // lower-cased WordPiece ids of bert-base-uncased's vocabulary
    }

    [Fact]
    public async Task Options_for_another_model_or_size_are_refused()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => _model.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 128 }));
        await Assert.ThrowsAsync<NotSupportedException>(() => _model.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "other" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalEmbeddingGenerator(maxTokens: 1000));
    }

    [Fact]
    public async Task Retrieves_by_meaning_through_Embedder_and_Embeddings()
    {
        string[] corpus =
        [
            "Use a long passphrase and turn on two-factor authentication to protect your account.",
            "Bake the bread at 220 degrees for thirty minutes until the crust is golden.",
            "The river floods every spring when the snow in the mountains melts.",
            "A balanced diet includes vegetables, whole grains and lean protein.",
        ];
        var retriever = await Embeddings.CreateAsync(corpus, new Embedder(_model), k: 1);
        Assert.Equal([0], (List<int>)(await retriever.CallAsync("How can I keep hackers out of my login?"))["indices"]!);
        Assert.Equal([1], (List<int>)(await retriever.CallAsync("oven temperature for a loaf"))["indices"]!);
        Assert.Equal([2], (List<int>)(await retriever.CallAsync("Why is there high water in April?"))["indices"]!);
        Assert.Equal([3], (List<int>)(await retriever.CallAsync("what should I eat to stay healthy"))["indices"]!);
    }
}
