using System.Collections.Concurrent;
using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Evaluation;

public sealed class EvaluateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class FuncModule(Func<IReadOnlyDictionary<string, object?>, CancellationToken, Task<Prediction>> forward) : Module
    {
        protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken) =>
            forward(inputs, cancellationToken);
    }

    private static Example Ex(string question, string answer) =>
        new Example(new Dictionary<string, object?> { ["question"] = question, ["answer"] = answer }).WithInputs("question");

    private static Prediction Answer(string a) => new(new Dictionary<string, object?> { ["answer"] = a });

    /// <summary>Answers "yes" to every question except those starting with "fail", which throw.</summary>
    private static FuncModule Echo() => new(async (inputs, ct) =>
    {
        await Task.Yield();
        var q = (string)inputs["question"]!;
        if (q.StartsWith("fail", StringComparison.Ordinal)) throw new InvalidOperationException($"failed on {q}");
        return Answer("yes");
    });

    private static TextWriter Quiet() => TextWriter.Null;

    [Fact]
    public async Task Results_keep_devset_order_when_workers_finish_in_reverse()
    {
        const int n = 6;
        var gates = Enumerable.Range(0, n).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var started = 0;
        var finishOrder = new ConcurrentQueue<int>();
        var program = new FuncModule(async (inputs, ct) =>
        {
            var i = int.Parse((string)inputs["question"]!, System.Globalization.CultureInfo.InvariantCulture);
            if (Interlocked.Increment(ref started) == n)
            {
                // Everyone is waiting: release them last to first.
                _ = Task.Run(async () =>
                {
                    for (var k = n - 1; k >= 0; k--)
                    {
                        gates[k].SetResult();
                        while (!finishOrder.Contains(k)) await Task.Yield();
                    }
                }, CancellationToken.None);
            }
            await gates[i].Task;
            finishOrder.Enqueue(i);
            return Answer($"a{i}");
        });
        var devset = Enumerable.Range(0, n).Select(i => Ex(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"a{i}")).ToList();
        var evaluate = new Evaluate(devset, Metrics.ExactMatch, numThreads: n) { Output = Quiet() };

        var result = await evaluate.RunAsync(program);

        Assert.Equal([5, 4, 3, 2, 1, 0], finishOrder.ToArray());
        Assert.Equal(devset, result.Results.Select(r => r.Example));
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"a{i}"), result.Results.Select(r => (string)r.Prediction["answer"]!));
        Assert.Equal(100.0, result.Score);
    }

    [Fact]
    public async Task Concurrency_is_bounded_by_num_threads()
    {
        var running = 0;
        var max = 0;
        var program = new FuncModule(async (inputs, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref max, now);
            for (var k = 0; k < 20; k++) await Task.Yield();
            Interlocked.Decrement(ref running);
            return Answer("yes");
        });
        var devset = Enumerable.Range(0, 20).Select(i => Ex($"q{i}", "yes")).ToList();

        var result = await new Evaluate(devset, Metrics.ExactMatch, numThreads: 2) { Output = Quiet() }.RunAsync(program);

        Assert.InRange(max, 1, 2);
        Assert.Equal(100.0, result.Score);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Fact]
    public async Task Failed_examples_get_the_failure_score_and_count_in_the_denominator()
    {
        var devset = new List<Example> { Ex("q1", "yes"), Ex("fail 1", "yes"), Ex("q3", "no") };
        var evaluate = new Evaluate(devset, Metrics.ExactMatch, numThreads: 1, failureScore: 0.5) { Output = Quiet() };

        var result = await evaluate.RunAsync(Echo());

        Assert.Equal(50.0, result.Score); // (1 + 0.5 + 0) / 3
        var failed = result.Results[1];
        Assert.Equal(0.5, failed.Score);
        Assert.Empty(failed.Prediction);
        Assert.IsType<InvalidOperationException>(failed.Error);
        Assert.Equal(true, result.Results[0].MetricValue);
        Assert.Equal(false, result.Results[2].MetricValue);
        Assert.Equal("EvaluationResult(score=50.0, results=<list of 3 results>)", result.ToString());
        Assert.Equal(50.0, result.Score);
        Assert.Equal(50.0, (double)result["score"]!);
    }

    [Fact]
    public async Task Score_is_a_percentage_rounded_to_two_decimals()
    {
        var devset = new List<Example> { Ex("q1", "yes"), Ex("q2", "yes"), Ex("q3", "no") };
        var updates = new List<EvaluationProgress>();
        var progress = new SyncProgress(updates);

        var result = await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1) { Output = Quiet() }.RunAsync(Echo(), progress: progress);

        Assert.Equal(66.67, result.Score);
        Assert.Equal(3, updates.Count);
        Assert.Equal("Average Metric: 1.00 / 1 (100.0%)", updates[0].Description);
        Assert.Equal("Average Metric: 2.00 / 3 (66.7%)", updates[2].Description);
    }

    [Fact]
    public async Task Progress_counts_only_scored_examples()
    {
        var devset = new List<Example> { Ex("fail", "yes"), Ex("q2", "yes") };
        var updates = new List<EvaluationProgress>();
        await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1) { Output = Quiet() }.RunAsync(Echo(), progress: new SyncProgress(updates));
        Assert.Equal("Average Metric: 0.00 / 0 (0%)", updates[0].Description);
        Assert.Equal(1, updates[0].Errors);
        Assert.Equal("Average Metric: 1.00 / 1 (100.0%)", updates[1].Description);
    }

    [Fact]
    public async Task Display_progress_writes_dspy_text()
    {
        var output = new StringWriter();
        var devset = new List<Example> { Ex("q1", "yes"), Ex("q2", "no") };
        await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1, displayProgress: true) { Output = output }.RunAsync(Echo());
        Assert.Equal("\rAverage Metric: 1.00 / 1 (100.0%): 1/2\rAverage Metric: 1.00 / 2 (50.0%): 2/2" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public async Task Reaching_max_errors_stops_the_run()
    {
        var devset = Enumerable.Range(0, 10).Select(i => Ex(i < 5 ? $"fail {i}" : $"q{i}", "yes")).ToList();
        var evaluate = new Evaluate(devset, Metrics.ExactMatch, numThreads: 1, maxErrors: 3) { Output = Quiet() };

        var ex = await Assert.ThrowsAsync<MaxErrorsExceededException>(() => evaluate.RunAsync(Echo()));

        Assert.Equal(3, ex.Errors.Count);
        Assert.StartsWith("Execution cancelled due to errors or interruption.", ex.Message);
        Assert.Contains("failed on fail 0", ex.Message);
    }

    [Fact]
    public async Task Max_errors_defaults_to_the_setting()
    {
        var devset = new List<Example> { Ex("fail 1", "yes"), Ex("q", "yes") };
        using (Settings.Context(s => s with { MaxErrors = 1 }))
        {
            await Assert.ThrowsAsync<MaxErrorsExceededException>(() => new Evaluate(devset, Metrics.ExactMatch, numThreads: 1) { Output = Quiet() }.RunAsync(Echo()));
        }
        // Below the limit, failures only lower the score.
        var result = await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1) { Output = Quiet() }.RunAsync(Echo());
        Assert.Equal(50.0, result.Score);
    }

    [Fact]
    public async Task Metric_errors_count_as_failures()
    {
        var devset = new List<Example> { Ex("q", "yes") };
        var broken = Metric.Create("broken", (Example e, Prediction p, object? t) => e.Count > 0 ? throw new FormatException("bad metric") : 1.0);
        var result = await new Evaluate(devset, broken, numThreads: 1) { Output = Quiet() }.RunAsync(Echo());
        Assert.Equal(0.0, result.Score);
        Assert.IsType<FormatException>(result.Results[0].Error);
    }

    [Fact]
    public async Task Settings_context_flows_into_workers_running_real_predictors()
    {
        var lm = new ScriptedLM { Responder = messages => new Dictionary<string, object?> { ["answer"] = messages[^1].Text.Contains("q1", StringComparison.Ordinal) ? "yes" : "no" } };
        var devset = Enumerable.Range(0, 8).Select(i => Ex($"q{i}", "yes")).ToList();
        using var _ = TestSignatures.Use(lm);

        var result = await new Evaluate(devset, Metrics.ExactMatch, numThreads: 4) { Output = Quiet() }.RunAsync(new Predict(TestSignatures.QA()));

        Assert.Equal(12.5, result.Score);
        Assert.Equal(8, lm.Requests.Count);
    }

    [Fact]
    public async Task Callbacks_see_the_evaluation()
    {
        var cb = new RecordingCallback();
        var devset = new List<Example> { Ex("q", "yes") };
        using var _ = Settings.Context(s => s with { Callbacks = [cb] });

        var result = await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1) { Output = Quiet() }.RunAsync(Echo());

        Assert.Equal(["evaluate_start:Evaluate", "module_start:FuncModule", "module_end", "evaluate_end"], cb.Events);
        Assert.Same(result, cb.Records[^1].Payload);
        Assert.Equal(cb.Records[0].CallId, cb.Records[1].ParentId);
    }

    [Fact]
    public async Task Csv_and_json_exports_merge_example_and_prediction()
    {
        var devset = new List<Example>
        {
            new Example(new Dictionary<string, object?> { ["question"] = "q, 1", ["answer"] = "yes" }).WithInputs("question"),
            new Example(new Dictionary<string, object?> { ["question"] = "fail \"2\"", ["answer"] = "é" }).WithInputs("question"),
        };
        var csv = Path.Combine(_dir, "out.csv");
        var json = Path.Combine(_dir, "out.json");

        await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1, saveAsCsv: csv, saveAsJson: json) { Output = Quiet() }.RunAsync(Echo());

        // Columns are the union of all rows' keys (Python's DictWriter would reject the failed row's extra `answer` key).
        Assert.Equal("question,example_answer,pred_answer,answer_exact_match,answer\r\n\"q, 1\",yes,yes,True,\r\n\"fail \"\"2\"\"\",,,0.0,é\r\n",
            File.ReadAllText(csv));
        Assert.Equal(
            """[{"question": "q, 1", "example_answer": "yes", "pred_answer": "yes", "answer_exact_match": true}, {"question": "fail \"2\"", "answer": "\u00e9", "answer_exact_match": 0.0}]""",
            File.ReadAllText(json));
    }

    [Fact]
    public void Table_truncates_long_cells_and_styles_the_metric_column()
    {
        var longText = string.Join(" ", Enumerable.Range(1, 30).Select(i => $"w{i}"));
        var rows = new List<EvaluationRow>
        {
            new(new Example(new Dictionary<string, object?> { ["question"] = longText }), new Prediction(new Dictionary<string, object?> { ["answer"] = "x" }), 0.5),
            new(new Example(new Dictionary<string, object?> { ["question"] = "short" }), new Prediction(new Dictionary<string, object?> { ["answer"] = "y" }), 1) { MetricValue = true },
            new(new Example(new Dictionary<string, object?> { ["question"] = "third" }), new Prediction(), 0),
        };
        var prepared = EvaluationReport.PrepareRows(rows, "my_metric");

        var table = EvaluationReport.ToTable(prepared, "my_metric", maxRows: 2);

        var lines = table.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("  | question", lines[0]);
        Assert.Contains(string.Join(" ", Enumerable.Range(1, 25).Select(i => $"w{i}")) + "...", lines[2]);
        Assert.DoesNotContain("w26", table);
        Assert.EndsWith("✔️ [0.500]", lines[2]);
        Assert.EndsWith("✔️ [True]", lines[3]);
        Assert.Equal("... 1 more rows not displayed ...", lines[^1]);
    }

    [Fact]
    public async Task Display_table_writes_the_table_after_the_run()
    {
        var output = new StringWriter();
        var devset = new List<Example> { Ex("q1", "yes") };
        await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1, displayTable: true) { Output = output }.RunAsync(Echo());
        Assert.Contains("answer_exact_match", output.ToString());
        Assert.Contains("✔️ [True]", output.ToString());
    }

    [Fact]
    public async Task Arguments_are_validated()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new Evaluate([], Metrics.ExactMatch) { Output = Quiet() }.RunAsync(Echo()));
        await Assert.ThrowsAsync<ArgumentException>(() => new Evaluate([Ex("q", "a")]) { Output = Quiet() }.RunAsync(Echo()));
    }

    [Fact]
    public async Task Cancellation_propagates()
    {
        using var cts = new CancellationTokenSource();
        var program = new FuncModule(async (inputs, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return Answer("yes");
        });
        var devset = Enumerable.Range(0, 4).Select(i => Ex($"q{i}", "yes")).ToList();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new Evaluate(devset, Metrics.ExactMatch, numThreads: 1) { Output = Quiet() }.RunAsync(program, cancellationToken: cts.Token));
    }

    /// <summary>An IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(List<EvaluationProgress> updates) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value)
        {
            lock (updates) updates.Add(value);
        }
    }
}
