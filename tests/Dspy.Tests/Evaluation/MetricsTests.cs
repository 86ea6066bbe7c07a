namespace Dspy.Tests.Evaluation;

public class MetricsTests
{
    // Expected values come from running DSPy 3.3.1's normalize_text under CPython 3.11.
    [Theory]
    [InlineData("Théâtre", "\u0301 \u0302tre")]
    [InlineData("The café", "cafe\u0301")]
    [InlineData("an apple", "apple")]
    [InlineData("A.B.C.", "abc")]
    [InlineData("The,  Eiffel  Tower!", "eiffel tower")]
    [InlineData("the-the", "thethe")]
    [InlineData("a_b", "ab")]
    [InlineData("The   quick\tbrown\nfox", "quick brown fox")]
    [InlineData("Á bout", "\u0301 bout")]
    [InlineData("àn apple", "\u0300n apple")]
    [InlineData("a\u0301", "\u0301")]
    [InlineData("a²", "a²")]
    [InlineData("a١ b", "a١ b")]
    [InlineData("٣ apples", "٣ apples")]
    [InlineData("the١", "the١")]
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("ΟΔΟΣ", "οδος")]
    [InlineData("ΟΔΟΣ ΑΣ", "οδος ας")]
    [InlineData("Σ", "σ")]
    [InlineData("ﬁ the end", "ﬁ end")]
    [InlineData("anthem", "anthem")]
    [InlineData("a an the", "")]
    [InlineData("The Answer is: 42.", "answer is 42")]
    [InlineData("(a) option", "option")]
    [InlineData("theatre", "theatre")]
    [InlineData("\u00a0a\u00a0", "")]
    [InlineData("x\u001ca\u001cy", "x y")]
    [InlineData("𝐀 a 𝐀", "𝐀 𝐀")]
    [InlineData("a𝐀", "a𝐀")]
    [InlineData("don't", "dont")]
    [InlineData("Ⅻ a", "ⅻ")]
    [InlineData("a\u200bb", "\u200bb")]
    [InlineData("the\u0308", "\u0308")]
    [InlineData("", "")]
    public void NormalizeText_matches_python(string input, string expected)
    {
        Assert.Equal(expected, Metrics.NormalizeText(input));
    }

    [Fact]
    public void F1_and_friends_match_python()
    {
        Assert.Equal(0.33333333333333337, Metrics.F1("Eiffel Tower is in Paris", ["Paris"]));
        Assert.Equal(0.8, Metrics.F1("the the cat cat", ["cat the cat dog"]), 15);
        Assert.Equal(0.5714285714285715, Metrics.F1Score("a b b c", "b b b d"));
        Assert.Equal(0.5, Metrics.PrecisionScore("eiffel tower in paris", "eiffel tower"));
        Assert.Equal(0, Metrics.F1Score("the", "a"));
        Assert.Equal(0, Metrics.HotPotF1("yes", ["no"]));
        Assert.Equal(1.0, Metrics.HotPotF1("yes", ["Yes."]));
        Assert.Equal(0, Metrics.HotPotF1("no answer", ["noanswer"]));
        Assert.True(Metrics.EM("The Eiffel Tower", ["Eiffel Tower", "Louvre"]));
        Assert.False(Metrics.EM("Eiffel", ["Eiffel Tower"]));
        Assert.Throws<ArgumentException>(() => Metrics.EM("x", []));
    }

    private static Example Ex(object? answer) => new(new Dictionary<string, object?> { ["answer"] = answer });

    private static Prediction Pred(string key, object? value) => new(new Dictionary<string, object?> { [key] = value });

    [Fact]
    public void Answer_exact_match_takes_strings_lists_and_fractions()
    {
        Assert.True(Metrics.AnswerExactMatch(Ex(new List<object?> { "Eiffel Tower", "Louvre" }), Pred("answer", "The Eiffel Tower")));
        Assert.True(Metrics.AnswerExactMatch(Ex(new List<object?> { "Eiffel Tower", "Louvre" }), Pred("answer", "The Eiffel Tower"), frac: 0.5));
        Assert.True(Metrics.AnswerExactMatch(Ex("Paris France"), Pred("answer", "Paris"), frac: 0.6));
        Assert.False(Metrics.AnswerExactMatch(Ex("Paris France"), Pred("answer", "Paris"), frac: 0.7));
        Assert.False(Metrics.AnswerExactMatch(Ex("Paris France"), Pred("answer", "Paris")));
        var ex = Assert.Throws<ArgumentException>(() => Metrics.AnswerExactMatch(Ex(3L), Pred("answer", "3")));
        Assert.Equal("Invalid answer type: <class 'int'>", ex.Message);
    }

    [Fact]
    public void Answer_passage_match_uses_dpr_tokens()
    {
        Assert.True(Metrics.AnswerPassageMatch(Ex("Eiffel Tower"), Pred("context", new List<object?> { "The Eiffel Tower is in Paris.", "..." })));
        Assert.False(Metrics.AnswerPassageMatch(Ex("Eiffel"), Pred("context", new List<object?> { "The Eiffeltower is in Paris." })));
        Assert.True(Metrics.AnswerPassageMatch(Ex(new List<object?> { "Théâtre de Paris", "nope" }), Pred("context", new List<object?> { "Le Théâtre de Paris, 1890" })));
        // An answer that normalises to nothing matches any passage, as in DSPy.
        Assert.True(Metrics.AnswerPassageMatch(Ex("the"), Pred("context", new List<object?> { "" })));
        Assert.True(Metrics.AnswerPassageMatch(Ex("U.S.A."), Pred("context", new List<object?> { "Made in the usa!" })));
    }

    [Fact]
    public void Dpr_tokenizer_matches_python()
    {
        Assert.Equal(["hello", ",", "world", "!", "cafe\u0301", "3", ".", "14", "a", "-", "b", "e\u0301cole", "𝐀x"],
            DprTokenizer.Normalize("Hello, World! café 3.14 a-b ÉCOLE 𝐀x"));
    }

    [Fact]
    public void Registry_resolves_names()
    {
        Assert.Equal("exact_match", Metrics.Get("exact_match").Name);
        Assert.Same(Metrics.Get("exact_match"), Metrics.Get("EM"));
        Assert.Equal("answer_exact_match", Metrics.Get("answer_exact_match").Name);
        Assert.Equal("answer_passage_match", Metrics.Get("passage_match").Name);
        Assert.Equal("f1", Metrics.Get("f1").Name);
        Assert.Equal("answer_f1", Metrics.Get("answer_f1").Name);
        var ex = Assert.Throws<KeyNotFoundException>(() => Metrics.Get("nope"));
        Assert.Contains("answer_exact_match", ex.Message);

        var custom = Metric.Create("length_ok", (e, p) => ((string)p["answer"]!).Length < 5);
        Metrics.Register("test_length_ok", custom);
        Assert.Same(custom, Metrics.Get("test_length_ok"));
        Assert.Contains("test_length_ok", Metrics.Names);
    }

    [Fact]
    public async Task Metric_values_convert_like_python_sum()
    {
        Assert.Equal(1.0, Metric.ToScore(true));
        Assert.Equal(0.0, Metric.ToScore(false));
        Assert.Equal(3.0, Metric.ToScore(3L));
        Assert.Equal(0.25, Metric.ToScore(0.25));
        Assert.Equal(0.5, Metric.ToScore(new Prediction(new Dictionary<string, object?> { ["score"] = 0.5 })));
        Assert.Throws<InvalidOperationException>(() => Metric.ToScore(null));
        Assert.Throws<InvalidOperationException>(() => Metric.ToScore("1"));

        var f1 = Metrics.Get("f1");
        Assert.Equal(2.0 / 3, await f1.ScoreAsync(Ex("Paris France"), Pred("answer", "Paris")));
        var withTrace = Metric.Create("t", (e, p, trace) => trace is null ? 0.25 : 1.0);
        Assert.Equal(0.25, await withTrace.ScoreAsync(Ex("x"), Pred("answer", "x")));
        Assert.Equal(1.0, await withTrace.ScoreAsync(Ex("x"), Pred("answer", "x"), trace: new List<object?>()));
        var asyncMetric = Metric.CreateAsync("a", async (e, p, t, ct) =>
        {
            await Task.Yield();
            return true;
        });
        Assert.Equal(true, await asyncMetric.InvokeAsync(Ex("x"), Pred("answer", "x")));
    }

    [Fact]
    public void Field_metrics_compare_every_shared_output_field()
    {
        var example = new Example(new Dictionary<string, object?> { ["text"] = "hi", ["label"] = "Book_Flight", ["n"] = 42L }).WithInputs("text");
        Assert.Equal(1.0, Metrics.FieldsExactMatch(example, Pred("label", " book_flight. ")));
        Assert.Equal(0.0, Metrics.FieldsExactMatch(example, Pred("label", "cancel_flight")));
        var both = new Prediction(new Dictionary<string, object?> { ["reasoning"] = "x", ["label"] = "book_flight", ["n"] = 42.0 });
        Assert.Equal(1.0, Metrics.FieldsExactMatch(example, both));
        var wrongNumber = new Prediction(new Dictionary<string, object?> { ["label"] = "book_flight", ["n"] = "41" });
        Assert.Equal(0.0, Metrics.FieldsExactMatch(example, wrongNumber));
        Assert.Equal(0.5, Metrics.FieldsF1(example, wrongNumber));
        Assert.Throws<ArgumentException>(() => Metrics.FieldsExactMatch(example, Pred("other", "x")));
        var listGold = new Example(new Dictionary<string, object?> { ["answer"] = new List<object?> { "Paris", "paris, france" } });
        Assert.Equal(1.0, Metrics.FieldsExactMatch(listGold, Pred("answer", "Paris, France")));
    }

    [Theory]
    [InlineData(2.675, 2, 2.67)]
    [InlineData(0.125, 2, 0.12)]
    [InlineData(0.375, 2, 0.38)]
    [InlineData(66.66666666666667, 2, 66.67)]
    [InlineData(12.5, 0, 12.0)]
    [InlineData(13.5, 0, 14.0)]
    [InlineData(1.005, 2, 1.0)]
    [InlineData(-2.675, 2, -2.67)]
    [InlineData(100.0, 1, 100.0)]
    public void Python_round_rounds_the_exact_binary_value_half_even(double x, int digits, double expected)
    {
        Assert.Equal(expected, PythonRound.Round(x, digits));
    }

    [Theory]
    [InlineData(2.0, 2, "2.00")]
    [InlineData(0.125, 2, "0.12")]
    [InlineData(2.675, 2, "2.67")]
    [InlineData(1234.5678, 3, "1234.568")]
    [InlineData(0.0005, 3, "0.001")]
    [InlineData(0.0, 3, "0.000")]
    public void Python_format_fixed(double x, int digits, string expected)
    {
        Assert.Equal(expected, PythonRound.Format(x, digits));
    }
}
