using System.Text;
using Dspy.Tests.Sim;

namespace Dspy.Tests.Optimizers.Runs;

/// <summary>Run folders: the evaluation store's crash safety, the memoising evaluator and the manifest check.</summary>
public sealed class RunFolderTests : IDisposable
{
    private static readonly Signature Arithmetic = Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "arithmetic", "signature.txt")).Trim());
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-runfolder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ExampleEvaluation Cell(double score, object? metric, string answer) =>
        new(0, new Example { ["question"] = "q" }.WithInputs("question"), new Prediction(new Dictionary<string, object?> { ["answer"] = answer, ["n"] = 5.0 }), score)
        {
            MetricValue = metric,
            Trace = [new PredictorTraceStep("self", new Dictionary<string, object?> { ["question"] = "q", ["k"] = 3L }, new Prediction(new Dictionary<string, object?> { ["answer"] = answer }))],
        };

    [Fact]
    public void The_store_round_trips_cells_with_their_types_and_survives_reopening()
    {
        var path = Path.Combine(_dir, "evaluations.jsonl");
        using (var store = new EvaluationStore(path))
        {
            Assert.True(store.Put("a", Cell(1, true, "4")));
            Assert.True(store.Put("b", Cell(0.5, new Prediction(new Dictionary<string, object?> { ["score"] = 0.5, ["feedback"] = "close" }), "x")));
        }
        using var reopened = new EvaluationStore(path);
        Assert.Equal(2, reopened.Count);
        Assert.True(reopened.TryGet("a", out var a));
        Assert.Equal(1, a.Score);
        Assert.Equal(true, a.MetricValue);
        Assert.Equal(5.0, Assert.IsType<double>(a.Prediction["n"]));
        var step = Assert.Single(a.Trace);
        Assert.Equal("self", step.PredictorName);
        Assert.Equal(3L, Assert.IsType<long>(step.Inputs["k"]));
        Assert.True(reopened.TryGet("b", out var b));
        Assert.Equal("close", Assert.IsType<Prediction>(b.MetricValue)["feedback"]);
    }

    [Fact]
    public void A_torn_last_line_and_a_corrupted_line_are_ignored_and_appending_continues_on_a_fresh_line()
    {
        var path = Path.Combine(_dir, "evaluations.jsonl");
        using (var store = new EvaluationStore(path))
        {
            store.Put("a", Cell(1, true, "1"));
            store.Put("b", Cell(1, true, "2"));
        }
        var lines = File.ReadAllLines(path);
        // Corrupt one character of the first line's JSON (its checksum no longer matches), and tear a third line mid-write.
        lines[0] = lines[0].Replace("\"1\"", "\"7\"", StringComparison.Ordinal);
        File.WriteAllText(path, lines[0] + "\n" + lines[1] + "\n" + lines[1][..40], Encoding.UTF8);

        using (var store = new EvaluationStore(path))
        {
            Assert.Equal(2, store.IgnoredLines);
            Assert.False(store.TryGet("a", out _));
            Assert.True(store.TryGet("b", out _));
            Assert.True(store.Put("c", Cell(0, false, "3")));
        }
        using var again = new EvaluationStore(path);
        Assert.True(again.TryGet("c", out var c));
        Assert.Equal(0, c.Score);
        Assert.Equal(1, again.IgnoredLines);
        Assert.EndsWith("\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_cells_and_values_that_do_not_round_trip_are_not_stored()
    {
        using var store = new EvaluationStore(Path.Combine(_dir, "evaluations.jsonl"));
        Assert.False(store.Put("failed", Cell(0, false, "x") with { Error = new InvalidOperationException("boom") }));
        var odd = Cell(1, true, "x") with { Prediction = new Prediction(new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch }) };
        Assert.False(store.Put("odd", odd));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void A_run_folder_refuses_another_configuration_and_recognises_a_resume()
    {
        var manifest = new RunManifest(new Dictionary<string, object?> { ["optimizer"] = "random-search", ["params"] = new Dictionary<string, object?> { ["k"] = 2L } }, 0);
        using (var first = RunFolder.Open(_dir, manifest)) Assert.False(first.Resumed);
        using (var second = RunFolder.Open(_dir, manifest with { })) Assert.True(second.Resumed);

        var other = new RunManifest(new Dictionary<string, object?> { ["optimizer"] = "bootstrap-fewshot", ["params"] = new Dictionary<string, object?> { ["k"] = 2L } }, 1);
        var error = Assert.Throws<RunFolderMismatchException>(() => RunFolder.Open(_dir, other));
        Assert.Contains("optimizer: \"bootstrap-fewshot\" here, \"random-search\" in the folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("seed: 1 here, 0 in the folder", error.Message, StringComparison.Ordinal);
    }

    private async Task<(byte[] Saved, long Requests, MemoizingProgramEvaluator Evaluator)> SearchInFolderAsync(string folder, int threads, bool lmCache)
    {
        using var run = RunFolder.Open(folder, new RunManifest(new Dictionary<string, object?> { ["task"] = "arithmetic" }, 0));
        var client = new CountingChatClient();
        var lm = new LM("sim", client, maxTokens: 256, cache: lmCache) { CacheStore = run.Cache };
        using var _ = Settings.Context(s => s with { Lm = lm, NumThreads = threads });
        var evaluator = run.CreateEvaluator();
        var optimizer = new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
        {
            Metric = Metrics.Get("exact_match"),
            NumCandidatePrograms = 3,
            MaxLabeledDemos = 8,
            MaxRounds = 2,
        });
        var program = await optimizer.CompileAsync(new Predict(Arithmetic), SampleData.LoadExamples("arithmetic", "train", 20, "question"),
            new CompileOptions { Valset = SampleData.LoadExamples("arithmetic", "dev", 15, "question"), Evaluator = evaluator });
        var path = Path.Combine(_dir, $"program-{Guid.NewGuid():N}.json");
        program.Save(path);
        return (await File.ReadAllBytesAsync(path), client.Requests, evaluator);
    }

    [Fact]
    public async Task The_evaluation_store_alone_replays_a_whole_random_search_without_an_LM_call_and_byte_identically()
    {
        var folder = Path.Combine(_dir, "run");
        // No LM cache: only the evaluation store can save the second run its calls.
        var first = await SearchInFolderAsync(folder, threads: 1, lmCache: false);
        var second = await SearchInFolderAsync(folder, threads: 8, lmCache: false);

        Assert.True(first.Requests > 100, $"{first.Requests} requests");
        Assert.Equal(0, second.Requests);
        Assert.Equal(0, second.Evaluator.Misses);
        Assert.True(second.Evaluator.Hits > 0);
        Assert.Equal(first.Saved, second.Saved);
    }

    [Fact]
    public async Task A_memoised_run_builds_the_same_program_as_an_unmemoised_one()
    {
        var memoised = await SearchInFolderAsync(Path.Combine(_dir, "run"), threads: 4, lmCache: false);

        var client = new CountingChatClient();
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, maxTokens: 256, cache: false), NumThreads = 4 });
        var plain = await new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
        {
            Metric = Metrics.Get("exact_match"),
            NumCandidatePrograms = 3,
            MaxLabeledDemos = 8,
            MaxRounds = 2,
        }).CompileAsync(new Predict(Arithmetic), SampleData.LoadExamples("arithmetic", "train", 20, "question"),
            new CompileOptions { Valset = SampleData.LoadExamples("arithmetic", "dev", 15, "question") });
        var path = Path.Combine(_dir, "plain.json");
        plain.Save(path);

        Assert.Equal(await File.ReadAllBytesAsync(path), memoised.Saved);
        // Cells repeated within the run (the same teacher on the same example) are served by the store the second time.
        Assert.InRange(memoised.Requests, 1, client.Requests);
    }
}
