namespace Dspy.Tests.Optimizers;

public class KNNTests
{
    private static Example Ex(string q, string a) => new Example(new Dictionary<string, object?> { ["question"] = q, ["answer"] = a }).WithInputs("question");

    // A transparent vectorizer: one dimension per known word, so the expected order can be worked out by hand.
    private static readonly string[] Vocabulary = ["apple", "banana", "cherry", "question"];

    private static Task<float[][]> CountWords(IReadOnlyList<string> texts, CancellationToken ct) =>
        Task.FromResult(texts.Select(t => Vocabulary.Select(w => (float)t.Split([' ', ':', '|'], StringSplitOptions.RemoveEmptyEntries).Count(x => x == w)).ToArray()).ToArray());

    [Fact]
    public async Task Examples_are_embedded_as_dspy_writes_them_and_ranked_by_dot_product_highest_first()
    {
        var seen = new List<string>();
        Task<float[][]> Recording(IReadOnlyList<string> texts, CancellationToken ct)
        {
            lock (seen) seen.AddRange(texts);
            return CountWords(texts, ct);
        }
        var trainset = new[] { Ex("apple", "1"), Ex("banana banana", "2"), Ex("apple banana cherry", "3"), Ex("cherry", "4") };
        var knn = new KNN(2, trainset, Recording);

        var nearest = await knn.RetrieveAsync(new Dictionary<string, object?> { ["question"] = "banana apple" });

        // Scores (question word counts 1 everywhere): apple=1+1, banana banana=1+2, apple banana cherry=1+2, cherry=1.
        // Ties go to the later example (reversed stable argsort): index 2 before index 1.
        Assert.Equal(["3", "2"], nearest.Select(e => (string)e["answer"]!));
        Assert.Equal("question: apple", seen[0]);
        Assert.Equal("question: banana apple", seen[^1]);
        Assert.Equal(4 + 1, seen.Count);
    }

    [Fact]
    public void Texts_join_every_input_key_in_example_order_with_python_str_values()
    {
        var e = new Example(new Dictionary<string, object?> { ["context"] = "c", ["n"] = 3L, ["flag"] = true, ["answer"] = "x" }).WithInputs("context", "n", "flag");
        var knn = new KNN(1, [e], CountWords);
        Assert.Equal("context: c | n: 3 | flag: True", knn.TrainsetTexts[0]);
    }

    [Fact]
    public void Bad_input_is_rejected_with_specific_errors()
    {
        var noInputs = new Example(new Dictionary<string, object?> { ["question"] = "q" });
        var e = Assert.Throws<ArgumentException>(() => new KNN(1, [noInputs], CountWords));
        Assert.Contains("WithInputs", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KNN(0, [Ex("a", "b")], CountWords));
    }

    [Fact]
    public async Task A_vectorizer_returning_the_wrong_number_of_vectors_fails_clearly()
    {
        var knn = new KNN(1, [Ex("a", "b"), Ex("c", "d")], (texts, ct) => Task.FromResult(new[] { new float[] { 1 } }));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => knn.RetrieveAsync(new Dictionary<string, object?> { ["question"] = "a" }));
        Assert.Contains("1 vectors for 2 texts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hashed_tfidf_vectorizer_is_deterministic_normalised_and_prefers_shared_rare_words()
    {
        var corpus = new[] { "text: book a flight to paris", "text: cancel my hotel booking", "text: what is my balance" };
        var v = HashedTfIdfVectorizer.Fit(corpus, 512);
        var a = await v.EmbedAsync(["text: flight to rome"]);
        var b = await HashedTfIdfVectorizer.Fit(corpus, 512).EmbedAsync(["text: flight to rome"]);
        Assert.Equal(a[0], b[0]);
        Assert.Equal(1.0, Math.Sqrt(a[0].Sum(x => (double)x * x)), 5);

        var knn = new KNN(1, corpus.Select(c => new Example(new Dictionary<string, object?> { ["text"] = c[6..] }).WithInputs("text")).ToList(), v.EmbedAsync);
        var nearest = await knn.RetrieveAsync(new Dictionary<string, object?> { ["text"] = "I need a flight to rome" });
        Assert.Equal("book a flight to paris", nearest[0]["text"]);
    }
}
