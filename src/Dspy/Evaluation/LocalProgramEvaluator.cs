namespace Dspy;

/// <summary>
/// The in-process <see cref="IProgramEvaluator"/>: a bounded parallel loop over the examples on this machine (DSPy's
/// <c>ParallelExecutor</c>), results gathered into example order. Each example runs in a worker flow that sees the
/// caller's settings (LM, adapter, usage tracker, budget), so every LM call is counted where the caller counts it.
/// </summary>
public sealed class LocalProgramEvaluator : IProgramEvaluator
{
    /// <summary>The shared instance; the evaluator keeps no state.</summary>
    public static LocalProgramEvaluator Instance { get; } = new();

    /// <inheritdoc/>
    public async Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Program, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Examples, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Metric, nameof(request));
        if (request.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(request), "NumThreads must be at least 1.");
        if (request.MaxErrors is < 1) throw new ArgumentOutOfRangeException(nameof(request), "MaxErrors must be at least 1.");

        var examples = request.Examples;
        var n = examples.Count;
        var results = new ExampleEvaluation?[n];
        if (n == 0) return new ProgramEvaluation([]);

        // Programs whose demos are edited per example get their own copies, made here one at a time so no worker reads
        // the program while another copies it.
        var programs = request.ExcludeExampleFromDemos
            ? examples.Select(e => WithoutDemo(request.Program, e)).ToArray()
            : null;
        var settings = Settings.Current;
        BaseLM? lm = null;
        if (request.LmOverrides is { Count: > 0 } overrides)
        {
            lm = (settings.Lm ?? throw new InvalidOperationException("No LM is loaded; LM overrides need a configured LM to copy.")).Copy(overrides);
        }

        await ParallelRunner.RunAsync(n, request.NumThreads ?? settings.NumThreads, request.MaxErrors ?? int.MaxValue,
            (i, token) => RunOneAsync(programs?[i] ?? request.Program, examples[i], i, request, lm, token),
            (i, result) => results[i] = result,
            (i, ex) => results[i] = new ExampleEvaluation(i, examples[i], new Prediction(), request.FailureScore) { Error = ex },
            cancellationToken);
        return new ProgramEvaluation(results.Select(r => r!).ToList());
    }

    private static async Task<ExampleEvaluation> RunOneAsync(Module program, Example example, int index, ProgramEvaluationRequest request,
        BaseLM? lm, CancellationToken cancellationToken)
    {
        var names = request.CaptureTraces ? PredictorNames(program) : null;
        using var scope = Settings.Context(s => s with
        {
            Lm = lm ?? s.Lm,
            Trace = request.CaptureTraces ? new TraceLog() : s.Trace,
        });
        var prediction = await program.CallAsync(example.Inputs().ToDictionary(), cancellationToken);
        var trace = request.CaptureTraces ? Settings.Current.Trace.Steps : null;
        var raw = await request.Metric.InvokeAsync(example, prediction, trace, cancellationToken);
        return new ExampleEvaluation(index, example, prediction, Metric.ToScore(raw))
        {
            MetricValue = raw,
            Trace = trace is null ? [] : trace.Select(step => new PredictorTraceStep(names!.GetValueOrDefault(step.Predictor), step.Inputs, step.Outputs)).ToList(),
        };
    }

    private static Dictionary<IPredictor, string> PredictorNames(Module program)
    {
        var names = new Dictionary<IPredictor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, predictor) in program.NamedPredictors()) names[predictor] = name;
        return names;
    }

    private static Module WithoutDemo(Module program, Example example)
    {
        var copy = program.DeepCopy();
        foreach (var (_, predictor) in copy.NamedPredictors()) predictor.Demos = predictor.Demos.Where(d => !d.Equals(example)).ToList();
        return copy;
    }
}
