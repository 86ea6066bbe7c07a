using Dspy.Tests.Sim;
using Dspy.Tests.TestDoubles;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers;

public class KNNFewShotTests(ITestOutputHelper output)
{
    private static Example Ex(string q, string a) => new Example(new Dictionary<string, object?> { ["question"] = q, ["answer"] = a }).WithInputs("question");

    private static Dictionary<string, object?> Answer(string answer) => new() { ["answer"] = answer };

    private static HashedTfIdfVectorizer Fit(IEnumerable<Example> trainset) =>
        HashedTfIdfVectorizer.Fit(trainset.Select(e => KNN.TextOf(e.Inputs())));

    [Fact]
    public async Task Each_call_bootstraps_the_k_nearest_examples_and_runs_the_compiled_program_with_them_as_demos()
    {
        var trainset = new[] { Ex("red apple", "fruit"), Ex("green apple", "fruit"), Ex("blue car", "vehicle"), Ex("fast car", "vehicle"), Ex("tall tree", "plant") };
        var lm = new RuleLM(r => Answer(r.Input.Contains("car", StringComparison.Ordinal) ? "vehicle" : "fruit"));
        using var _ = Settings.Context(s => s with { Lm = lm });
        var optimizer = new KNNFewShot(2, trainset, Fit(trainset).EmbedAsync, new BootstrapFewShotOptions { MaxBootstrappedDemos = 2, MaxLabeledDemos = 2 });
        var student = new Predict(TestSignatures.QA());

        var program = await optimizer.CompileAsync(student, []);
        Assert.Empty(lm.Requests); // compiling makes no LM call

        var prediction = await program.CallAsync(new Dictionary<string, object?> { ["question"] = "old car" });
        Assert.Equal("vehicle", prediction["answer"]);
        // Two teacher runs (the two car neighbours, bootstrapped in parallel, so in either order), then the student's call,
        // whose demos are those two.
        Assert.Equal(3, lm.Requests.Count);
        Assert.Equal(["blue car", "fast car"], lm.Requests.Take(2).Select(r => r.Input).Order(StringComparer.Ordinal));
        Assert.Equal("old car", lm.Requests[^1].Input);
        Assert.Equal(2, lm.Requests[^1].DemoCount);

        await program.CallAsync(new Dictionary<string, object?> { ["question"] = "sweet apple" });
        var last = lm.Requests.Skip(3).Select(r => r.Input).ToList();
        Assert.Equal(3, last.Count);
        Assert.Equal(["green apple", "red apple"], last.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal("sweet apple", last[^1]);
        Assert.Empty(student.Demos);
    }

    [Fact]
    public async Task The_compiled_program_wraps_the_student_and_uses_the_compile_teacher()
    {
        var trainset = new[] { Ex("a", "1"), Ex("b", "2") };
        var teacherLm = new RuleLM(r => Answer("from-teacher"));
        var studentLm = new RuleLM(r => Answer("from-student"));
        using var _ = Settings.Context(s => s with { Lm = studentLm });
        var teacher = new Predict(TestSignatures.QA()) { Lm = teacherLm };

        var program = (KNNFewShotProgram)await new KNNFewShot(1, trainset, Fit(trainset).EmbedAsync,
            new BootstrapFewShotOptions { MaxLabeledDemos = 0 }).CompileAsync(new Predict(TestSignatures.QA()), [], new CompileOptions { Teacher = teacher });

        Assert.Equal(["program"], program.NamedPredictors().Select(p => p.Name));
        var compiled = await program.CompileForAsync(new Dictionary<string, object?> { ["question"] = "a" });
        var demo = Assert.Single(compiled.Predictors()[0].Demos);
        Assert.Equal("from-teacher", demo["answer"]);
        Assert.Single(teacherLm.Requests);
        Assert.Empty(studentLm.Requests);
    }

    [Fact]
    public async Task A_program_rebuilt_from_its_parts_predicts_what_the_compiled_one_predicts()
    {
        var trainset = new[] { Ex("red apple", "fruit"), Ex("green apple", "fruit"), Ex("blue car", "vehicle"), Ex("fast car", "vehicle"), Ex("tall tree", "plant") };
        var lm = new RuleLM(r => Answer(r.Input.Contains("car", StringComparison.Ordinal) ? "vehicle" : r.Input.Contains("tree", StringComparison.Ordinal) ? "plant" : "fruit"));
        using var _ = Settings.Context(s => s with { Lm = lm });
        var options = new BootstrapFewShotOptions { MaxBootstrappedDemos = 2, MaxLabeledDemos = 2, Seed = 3 };
        var compiled = (KNNFewShotProgram)await new KNNFewShot(2, trainset, HashedTfIdfVectorizer.Fit(KNN.TextsOf(trainset)), options)
            .CompileAsync(new Predict(TestSignatures.QA()), trainset);

        // What a machine that has only the parts (k, options, trainset, the vectorizer's corpus) builds.
        var vectorizer = Assert.IsType<HashedTfIdfVectorizer>(compiled.Knn.LocalVectorizer);
        Assert.True(vectorizer.IsFittedOn(compiled.Knn.TrainsetTexts));
        var rebuilt = new KNNFewShotProgram(new Predict(TestSignatures.QA()), null,
            new KNN(compiled.Knn.K, trainset, HashedTfIdfVectorizer.Fit(KNN.TextsOf(trainset), vectorizer.Dimensions)), compiled.BootstrapOptions);

        foreach (var question in new[] { "old car", "sweet apple", "big tree" })
        {
            var inputs = new Dictionary<string, object?> { ["question"] = question };
            var expected = (await compiled.CompileForAsync(inputs)).DumpState();
            Assert.Equal(PythonJson.Dumps(expected), PythonJson.Dumps((await rebuilt.CompileForAsync(inputs)).DumpState()));
            Assert.Equal((await compiled.CallAsync(inputs))["answer"], (await rebuilt.CallAsync(inputs))["answer"]);
        }
        Assert.Null(compiled.Teacher);
        Assert.Same(options, compiled.BootstrapOptions);
    }

    [Fact]
    public void A_knn_knows_its_local_vectorizer_and_the_corpus_it_was_fitted_on()
    {
        var trainset = new[] { Ex("red apple", "fruit"), Ex("blue car", "vehicle") };
        var texts = KNN.TextsOf(trainset);
        var vectorizer = HashedTfIdfVectorizer.Fit(texts);

        Assert.Equal(["question: red apple", "question: blue car"], texts);
        Assert.Same(vectorizer, new KNN(1, trainset, vectorizer).LocalVectorizer);
        Assert.Null(new KNN(1, trainset, vectorizer.EmbedAsync).LocalVectorizer);
        Assert.True(vectorizer.IsFittedOn(["question: red apple", "question: blue car"]));
        Assert.False(vectorizer.IsFittedOn(["question: blue car", "question: red apple"]));
        Assert.False(vectorizer.IsFittedOn(["question: red apple"]));
        // Length-prefixed: texts that concatenate alike are still another corpus.
        Assert.False(HashedTfIdfVectorizer.Fit(["ab", ""]).IsFittedOn(["a", "b"]));
        Assert.Throws<ArgumentException>(() => KNN.TextsOf([new Example(new Dictionary<string, object?> { ["question"] = "x" })]));
    }

    [Fact]
    public async Task Intent_on_the_sim_scores_higher_with_nearest_neighbour_demos_than_zero_shot()
    {
        var train = SampleData.LoadExamples("intent", "train", 200, "text");
        var dev = SampleData.LoadExamples("intent", "dev", 40, "text");
        var signature = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "intent", "signature.txt")).Trim());
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = 4 });
        var metric = Metrics.Get("exact_match");
        var student = new Predict(signature);

        using var usage = Settings.TrackUsage();
        var before = await new Evaluate(dev, metric).RunAsync(student);
        var vectorizer = HashedTfIdfVectorizer.Fit(train.Select(e => KNN.TextOf(e.Inputs())));
        var program = await new KNNFewShot(4, train, vectorizer.EmbedAsync, new BootstrapFewShotOptions { Metric = metric, MaxBootstrappedDemos = 4, MaxLabeledDemos = 4 })
            .CompileAsync(student, train);
        var after = await new Evaluate(dev, metric).RunAsync(program);

        output.WriteLine($"intent on sim ({dev.Count} dev): zero-shot {before.Score}%, KNNFewShot(k=4) {after.Score}%");
        Assert.True(after.Score > before.Score + 20, $"KNNFewShot {after.Score} should beat zero-shot {before.Score} clearly");
    }
}
