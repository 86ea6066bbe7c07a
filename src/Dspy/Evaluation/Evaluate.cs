using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Evaluate</c>: runs a program over a devset in parallel and scores each prediction with a metric.
/// Each example runs <c>program(**example.inputs())</c> then <c>metric(example, pred)</c>; at most
/// <see cref="NumThreads"/> run at once, and results are kept in devset order whatever order they finish in. A failed
/// example becomes an empty prediction with <see cref="FailureScore"/> and still counts in the denominator; when
/// <see cref="MaxErrors"/> examples have failed the rest are cancelled and <see cref="MaxErrorsExceededException"/> is thrown.
/// The score is <c>round(100 * sum / n, 2)</c>, a percentage.
/// </summary>
/// <remarks>
/// Workers run in the caller's settings context (contexts flow into them). They share the caller's usage tracker,
/// which is thread-safe, so a <c>Settings.TrackUsage()</c> scope around an evaluation sees all of its usage (DSPy gives
/// each worker thread its own copy).
/// </remarks>
public sealed class Evaluate
{
    // Resolved per use so a factory set by the host after this type was loaded is honoured.
    private static ILogger Log => DspyLogging.CreateLogger(typeof(Evaluate));

    /// <summary>Creates an evaluator (DSPy's keyword arguments, same defaults).</summary>
    public Evaluate(IReadOnlyList<Example> devset, Metric? metric = null, int? numThreads = null, bool displayProgress = false,
        bool displayTable = false, int? maxErrors = null, bool? provideTraceback = null, double failureScore = 0.0,
        string? saveAsCsv = null, string? saveAsJson = null, int? displayTableRows = null)
    {
        ArgumentNullException.ThrowIfNull(devset);
        Devset = devset;
        Metric = metric;
        NumThreads = numThreads;
        DisplayProgress = displayProgress;
        DisplayTable = displayTable;
        DisplayTableRows = displayTableRows;
        MaxErrors = maxErrors;
        ProvideTraceback = provideTraceback;
        FailureScore = failureScore;
        SaveAsCsv = saveAsCsv;
        SaveAsJson = saveAsJson;
    }

    /// <summary>The examples to evaluate; their input keys must be set.</summary>
    public IReadOnlyList<Example> Devset { get; set; }

    /// <summary>The default metric.</summary>
    public Metric? Metric { get; set; }

    /// <summary>Parallelism; null means <see cref="DspySettings.NumThreads"/>.</summary>
    public int? NumThreads { get; set; }

    /// <summary>Write DSPy's progress line to <see cref="Output"/>.</summary>
    public bool DisplayProgress { get; set; }

    /// <summary>Write the result table to <see cref="Output"/>.</summary>
    public bool DisplayTable { get; set; }

    /// <summary>With <see cref="DisplayTable"/>, show only this many rows (DSPy's integer <c>display_table</c>).</summary>
    public int? DisplayTableRows { get; set; }

    /// <summary>Failures tolerated before the run stops; null means <see cref="DspySettings.MaxErrors"/>.</summary>
    public int? MaxErrors { get; set; }

    /// <summary>Log stack traces of failures; null means <see cref="DspySettings.ProvideTraceback"/>.</summary>
    public bool? ProvideTraceback { get; set; }

    /// <summary>The score of a failed example.</summary>
    public double FailureScore { get; set; }

    /// <summary>Write the rows to this CSV file.</summary>
    public string? SaveAsCsv { get; set; }

    /// <summary>Write the rows to this JSON file.</summary>
    public string? SaveAsJson { get; set; }

    /// <summary>Where progress and tables are written; null means <see cref="Console.Out"/>.</summary>
    public TextWriter? Output { get; set; }

    /// <summary>
    /// DSPy's <c>evaluate(program, metric=None, devset=None, ...)</c>: arguments given here override the evaluator's.
    /// <paramref name="progress"/> receives an update after every example.
    /// </summary>
    /// <exception cref="MaxErrorsExceededException">Too many examples failed.</exception>
    public Task<EvaluationResult> RunAsync(Module program, Metric? metric = null, IReadOnlyList<Example>? devset = null, int? numThreads = null,
        bool? displayProgress = null, bool? displayTable = null, IReadOnlyDictionary<string, object?>? callbackMetadata = null,
        string? saveAsCsv = null, string? saveAsJson = null, IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        var run = new EvaluationRun
        {
            Program = program,
            Metric = metric ?? Metric ?? throw new ArgumentException("A metric is required to evaluate.", nameof(metric)),
            Devset = devset ?? Devset,
            NumThreads = numThreads ?? NumThreads ?? Settings.Current.NumThreads,
            DisplayProgress = displayProgress ?? DisplayProgress,
            DisplayTable = displayTable ?? DisplayTable,
            SaveAsCsv = saveAsCsv ?? SaveAsCsv,
            SaveAsJson = saveAsJson ?? SaveAsJson,
            MaxErrors = MaxErrors ?? Settings.Current.MaxErrors,
            ProvideTraceback = ProvideTraceback ?? Settings.Current.ProvideTraceback,
            Progress = progress,
        };
        if (run.NumThreads < 1) throw new ArgumentOutOfRangeException(nameof(numThreads), "num_threads must be at least 1.");

        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["program"] = program,
            ["metric"] = run.Metric,
            ["devset"] = run.Devset,
            ["num_threads"] = (long)run.NumThreads,
            ["display_progress"] = run.DisplayProgress,
            ["display_table"] = run.DisplayTable,
            ["callback_metadata"] = callbackMetadata,
            ["save_as_csv"] = run.SaveAsCsv,
            ["save_as_json"] = run.SaveAsJson,
        };
        return DspyCallbacks.RunAsync(CallbackKind.Evaluate, this, null, inputs, () => ExecuteAsync(run, cancellationToken));
    }

    private sealed class EvaluationRun
    {
        public required Module Program { get; init; }
        public required Metric Metric { get; init; }
        public required IReadOnlyList<Example> Devset { get; init; }
        public required int NumThreads { get; init; }
        public required bool DisplayProgress { get; init; }
        public required bool DisplayTable { get; init; }
        public string? SaveAsCsv { get; init; }
        public string? SaveAsJson { get; init; }
        public required int MaxErrors { get; init; }
        public required bool ProvideTraceback { get; init; }
        public IProgress<EvaluationProgress>? Progress { get; init; }
    }

    private async Task<EvaluationResult> ExecuteAsync(EvaluationRun run, CancellationToken cancellationToken)
    {
        var devset = run.Devset;
        var n = devset.Count;
        if (n == 0) throw new ArgumentException("The devset is empty; there is nothing to evaluate.");

        var outcomes = new (Prediction Prediction, double Score, object? Raw)?[n];
        var failures = new Exception?[n];
        var processed = 0;
        var scored = 0;
        var errorCount = 0;
        var sum = 0.0;
        var output = Output ?? Console.Out;

        try
        {
            await ParallelRunner.RunAsync(n, run.NumThreads, run.MaxErrors,
                async (i, token) =>
                {
                    var example = devset[i];
                    var prediction = await run.Program.CallAsync(example.Inputs().ToDictionary(), token);
                    var raw = await run.Metric.InvokeAsync(example, prediction, null, token);
                    return (prediction, Metric.ToScore(raw), raw);
                },
                (i, outcome) =>
                {
                    outcomes[i] = outcome;
                    processed++;
                    scored++;
                    sum += outcome.Item2;
                    Report(new EvaluationProgress(processed, n, scored, sum, errorCount), run, output);
                },
                (i, ex) =>
                {
                    LogFailure(devset[i], ex, run.ProvideTraceback);
                    failures[i] = ex;
                    processed++;
                    errorCount++;
                    Report(new EvaluationProgress(processed, n, scored, sum, errorCount), run, output);
                },
                cancellationToken);
        }
        finally
        {
            if (run.DisplayProgress) output.WriteLine();
        }

        var rows = new List<EvaluationRow>(n);
        for (var i = 0; i < n; i++)
        {
            rows.Add(outcomes[i] is { } o
                ? new EvaluationRow(devset[i], o.Prediction, o.Score) { MetricValue = o.Raw }
                : new EvaluationRow(devset[i], new Prediction(), FailureScore) { Error = failures[i] });
        }

        var total = rows.Sum(r => r.Score);
        var pct = PythonFloat.Repr(PythonRound.Round(100 * total / n, 1));
        if (Log.IsEnabled(LogLevel.Information))
        {
            // Python's sum of bool/int metric values is an int ("3"); any float (or a failure score) makes it a float ("3.0").
            var integral = rows.All(r => r.Error is null && r.MetricValue is bool or long or int);
            var sumText = integral ? ((long)total).ToString(CultureInfo.InvariantCulture) : PythonFloat.Repr(total);
            Log.LogInformation("Average Metric: {Sum} / {Total} ({Percent}%)", sumText, n, pct);
        }

        var metricName = run.Metric.Name;
        if (run.DisplayTable || run.SaveAsCsv is not null || run.SaveAsJson is not null)
        {
            var table = EvaluationReport.PrepareRows(rows, metricName);
            if (run.DisplayTable) await output.WriteAsync(EvaluationReport.ToTable(table, metricName, DisplayTableRows));
            if (run.SaveAsCsv is { } csv) await File.WriteAllTextAsync(csv, EvaluationReport.ToCsv(table), cancellationToken);
            if (run.SaveAsJson is { } json) await File.WriteAllTextAsync(json, EvaluationReport.ToJson(table), cancellationToken);
        }

        return new EvaluationResult(PythonRound.Round(100 * total / n, 2), rows);
    }

    private static void Report(EvaluationProgress update, EvaluationRun run, TextWriter output)
    {
        run.Progress?.Report(update);
        if (!run.DisplayProgress) return;
        lock (output)
        {
            output.Write($"\r{update.Description}: {update.Processed.ToString(CultureInfo.InvariantCulture)}/{update.Total.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static void LogFailure(Example example, Exception ex, bool traceback)
    {
        if (traceback) Log.LogError(ex, "Error for {Example}: {Message}", example, ex.Message);
        else Log.LogError("Error for {Example}: {Message}. Set `provide_traceback=True` for traceback.", example, ex.Message);
    }
}
