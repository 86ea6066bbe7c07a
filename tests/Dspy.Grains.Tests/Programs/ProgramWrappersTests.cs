namespace Dspy.Grains.Tests.Programs;

/// <summary>
/// <see cref="ProgramWrappers"/>: KNNFewShot's per-call program described by value (k, bootstrap options, vectorizer,
/// trainset ids) and rebuilt to predict what the original predicts (sim LM); what cannot travel is refused by name.
/// </summary>
public sealed class ProgramWrappersTests
{
    private static readonly ProgramSpec Intent = new("predict", Samples.Signature("intent"));

    private static List<Example> Train => Samples.Load("intent", "train", 30, 0, "text");

    private static BootstrapFewShotOptions Bootstrap(int k) => new() { Metric = Metrics.Get("exact_match"), MaxBootstrappedDemos = k, MaxLabeledDemos = 16 };

    private static async Task<KNNFewShotProgram> KnnAsync(int k, List<Example> train, Func<List<Example>, KNNFewShot>? optimizer = null)
    {
        var knn = optimizer?.Invoke(train) ?? new KNNFewShot(k, train, HashedTfIdfVectorizer.Fit(KNN.TextsOf(train)), Bootstrap(k));
        return Assert.IsType<KNNFewShotProgram>(await knn.CompileAsync(Intent.Build(), train));
    }

    [Fact]
    public async Task A_knn_fewshot_program_travels_by_value_and_the_rebuilt_one_predicts_what_it_predicts()
    {
        var train = Train;
        var program = await KnnAsync(3, train);

        var (candidate, carried) = ProgramWrappers.Describe(Intent, program, "ds-1");

        var wrapper = Assert.IsType<ProgramWrapperSpec>(candidate.Wrapper);
        Assert.Equal("knn-fewshot", wrapper.Kind);
        Assert.Equal("ds-1", wrapper.DatasetId);
        Assert.Equal(train.Select(e => DatasetExample.From(e).Id), wrapper.ExampleIds);
        Assert.Equal(wrapper.ExampleIds, carried.Select(e => e.Id));
        Assert.Equal(PythonJson.Dumps(Intent.Build().DumpState()), candidate.StateJson);
        Assert.Contains("\"k\": 3", wrapper.ArgumentsJson, StringComparison.Ordinal);
        Assert.Contains("\"metric\": \"exact_match\"", wrapper.ArgumentsJson, StringComparison.Ordinal);

        var byId = carried.ToDictionary(e => e.Id);
        var rebuilt = Assert.IsType<KNNFewShotProgram>(await ProgramWrappers.BuildAsync(candidate,
            (dataset, ids) => Task.FromResult<IReadOnlyList<DatasetExample>>(dataset == "ds-1" ? ids.Select(id => byId[id]).ToList() : []), numThreads: 2));
        Assert.Equal(3, rebuilt.Knn.K);
        Assert.Equal(program.Knn.TrainsetTexts, rebuilt.Knn.TrainsetTexts);
        // Described again, the rebuilt program is the same candidate (the hash names the same content).
        Assert.Equal(candidate.Hash, ProgramWrappers.Describe(Intent, rebuilt, "ds-1").Candidate.Hash);

        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var dev = Samples.Load("intent", "dev", 6, 0, "text");
        var request = new ProgramEvaluationRequest { Program = program, Examples = dev, Metric = Metrics.Get("exact_match") };
        var original = await LocalProgramEvaluator.Instance.EvaluateAsync(request);
        var again = await LocalProgramEvaluator.Instance.EvaluateAsync(request with { Program = rebuilt });
        Assert.Equal(original.Results.Select(r => r.Prediction.ToDictionary()["label"]), again.Results.Select(r => r.Prediction.ToDictionary()["label"]));
        Assert.Equal(original.Scores, again.Scores);
    }

    [Fact]
    public async Task The_candidate_hash_covers_the_wrapper_and_a_plain_program_hashes_as_before()
    {
        var train = Train;
        var plain = CandidateProgram.From(Intent, Intent.Build());
        var k3 = ProgramWrappers.Describe(Intent, await KnnAsync(3, train), "ds").Candidate;
        var k2 = ProgramWrappers.Describe(Intent, await KnnAsync(2, train), "ds").Candidate;
        var fewer = ProgramWrappers.Describe(Intent, await KnnAsync(3, train.Take(29).ToList()), "ds").Candidate;

        var (described, carried) = ProgramWrappers.Describe(Intent, Intent.Build(), "ds");
        Assert.Null(described.Wrapper);
        Assert.Empty(carried);
        Assert.Equal(DatasetExample.Hash(Intent.Kind + "\n" + Intent.Signature + "\n" + plain.StateJson), plain.Hash);
        Assert.Equal(plain.Hash, described.Hash);
        // The same student state in all four; only the wrapper tells them apart.
        Assert.Equal(4, new[] { plain.Hash, k3.Hash, k2.Hash, fewer.Hash }.Distinct().Count());
    }

    [Fact]
    public async Task A_knn_program_whose_parts_cannot_travel_is_refused_saying_which()
    {
        var train = Train;
        var vectorizer = HashedTfIdfVectorizer.Fit(KNN.TextsOf(train));

        var function = await KnnAsync(3, train, t => new KNNFewShot(3, t, vectorizer.EmbedAsync, Bootstrap(3)));
        Assert.Contains("HashedTfIdfVectorizer fitted on the trainset", Refusal(function), StringComparison.Ordinal);

        var otherCorpus = await KnnAsync(3, train, t => new KNNFewShot(3, t, HashedTfIdfVectorizer.Fit(KNN.TextsOf(t.Take(10).ToList())), Bootstrap(3)));
        Assert.Contains("HashedTfIdfVectorizer fitted on the trainset", Refusal(otherCorpus), StringComparison.Ordinal);

        var privateMetric = await KnnAsync(3, train, t => new KNNFewShot(3, t, vectorizer,
            Bootstrap(3) with { Metric = Metric.Create("my_knn_metric", (_, _) => 1.0) }));
        Assert.Contains("'my_knn_metric' is not registered", Refusal(privateMetric), StringComparison.Ordinal);

        var teacherSettings = await KnnAsync(3, train, t => new KNNFewShot(3, t, vectorizer, Bootstrap(3) with { TeacherSettings = s => s }));
        Assert.Contains("TeacherSettings", Refusal(teacherSettings), StringComparison.Ordinal);

        var withTeacher = (KNNFewShotProgram)await new KNNFewShot(3, train, vectorizer, Bootstrap(3))
            .CompileAsync(Intent.Build(), train, new CompileOptions { Teacher = Intent.Build() });
        Assert.Contains("with a teacher", Refusal(withTeacher), StringComparison.Ordinal);

        var otherModule = (KNNFewShotProgram)await new KNNFewShot(3, train, vectorizer, Bootstrap(3))
            .CompileAsync(new ChainOfThought(Signature.Parse(Intent.Signature)), train);
        Assert.Contains("does not match its spec", Refusal(otherModule), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_wrapper_kind_is_refused_naming_the_registered_ones()
    {
        var candidate = CandidateProgram.From(Intent, Intent.Build()) with
        {
            Wrapper = new ProgramWrapperSpec { Kind = "no-such-wrapper", ArgumentsJson = "{}", DatasetId = "ds", ExampleIds = [] },
        };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            ProgramWrappers.BuildAsync(candidate, (_, _) => Task.FromResult<IReadOnlyList<DatasetExample>>([]), numThreads: 1));
        Assert.Contains("Unknown program wrapper 'no-such-wrapper'; registered: knn-fewshot", ex.Message, StringComparison.Ordinal);
    }

    private static string Refusal(Module program) =>
        Assert.Throws<ArgumentException>(() => ProgramWrappers.Describe(Intent, program, "ds")).Message;
}
