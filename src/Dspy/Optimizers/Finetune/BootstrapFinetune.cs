using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>BootstrapFinetune</c>: distils a program's traces into fine-tuned LMs.
/// <list type="number">
/// <item>Every predictor of the student must have its own LM (<c>program.SetLm(lm)</c>).</item>
/// <item>Each teacher (the student itself when none is given; teachers must have the student's predictor names and share
/// no predictor with it) runs over the whole trainset with traces captured, through <see cref="CompileOptions.Evaluator"/>
/// (DSPy's <c>bootstrap_trace_data</c>: errors tolerated up to ten per example).</item>
/// <item>With a metric, only the examples whose score is truthy are kept. Each trace step becomes one chat record, the
/// adapter's <c>format_finetune_data</c> of the step's predictor (its signature and, unless
/// <see cref="BootstrapFinetuneOptions.ExcludeDemos"/>, its demos), inputs and outputs; the records are shuffled with
/// <c>random.Random(0)</c>.</item>
/// <item>One job per (LM, predictor index, or none when <see cref="BootstrapFinetuneOptions.Multitask"/>): with
/// multitask every step goes to the LM's job; without it, job <c>i</c> takes the <c>i</c>-th step of each trace (DSPy
/// assumes steps come in predictor order). More jobs than threads is an error, as in DSPy. The jobs run concurrently.</item>
/// <item>Each predictor gets its job's fine-tuned LM (and no demos with <see cref="BootstrapFinetuneOptions.ExcludeDemos"/>);
/// the program is marked compiled.</item>
/// </list>
/// DSPy changes the student in place; here the student is deep-copied first (LMs are shared, as DSPy copies share them).
/// Under a dry run (<see cref="DryRun"/>) no job is started and nothing is recorded: the base LMs stand in for the fine-tuned ones.
/// Jobs are remembered by training request in <see cref="BootstrapFinetuneOptions.JobStore"/> (else
/// <see cref="DspySettings.FinetuneJobs"/>, else the LM's disk cache folder): the same compile re-run after a crash
/// re-attaches to its job instead of paying for a second one (DESIGN invariant 2; see <see cref="IFinetuneJobStore"/>).
/// </summary>
public sealed class BootstrapFinetune : Teleprompter
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(BootstrapFinetune));

    /// <summary>Creates the optimizer with DSPy's keyword arguments.</summary>
    public BootstrapFinetune(Metric? metric = null, bool multitask = true, IReadOnlyDictionary<string, object?>? trainKwargs = null,
        ChatAdapter? adapter = null, bool excludeDemos = false, int? numThreads = null, FinetuneProvider? provider = null)
        : this(new BootstrapFinetuneOptions
        {
            Metric = metric,
            Multitask = multitask,
            TrainKwargs = trainKwargs,
            Adapter = adapter,
            ExcludeDemos = excludeDemos,
            NumThreads = numThreads,
            Provider = provider,
        })
    {
    }

    /// <summary>Creates the optimizer from options.</summary>
    public BootstrapFinetune(BootstrapFinetuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        Options = options;
    }

    /// <summary>The settings.</summary>
    public BootstrapFinetuneOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await FinetuneAsync(student, trainset, options?.Teacher is { } t ? [t] : null, options, cancellationToken)).Program;

    /// <summary>
    /// DSPy's <c>compile(student, trainset, teacher=None | list)</c> with several teachers, returning the jobs and the
    /// counts as well as the program.
    /// </summary>
    /// <exception cref="ArgumentException">A predictor has no LM, a teacher does not match the student, there is no training
    /// data, the adapter cannot format it, or there are more jobs than threads.</exception>
    public async Task<BootstrapFinetuneResult> FinetuneAsync(Module student, IReadOnlyList<Example> trainset, IReadOnlyList<Module>? teachers = null,
        CompileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        var progress = options?.Progress;
        var program = student.DeepCopy();
        var predictors = program.Predictors();
        for (var i = 0; i < predictors.Count; i++)
        {
            if (predictors[i].Lm is null)
            {
                throw new ArgumentException($"Predictor {i} does not have an LM assigned. Please ensure the module's predictors have their LM set "
                    + "before fine-tuning. You can set it using: program.SetLm(lm)", nameof(student));
            }
        }
        var sources = (teachers is { Count: > 0 } ? teachers : [program]).ToList();
        foreach (var teacher in sources.Where(t => !ReferenceEquals(t, program))) CheckTeacher(program, teacher);

        using var usage = new OptimizerUsageScope();
        progress?.Report(CreateEvent(OptimizerEventKind.Started, message: $"tracing {trainset.Count} examples with {sources.Count} teacher(s)"));
        var numThreads = Options.NumThreads ?? Settings.Current.NumThreads;
        var evaluator = ProgramScoring.EvaluatorOf(options);
        var traces = new List<(Module Teacher, ExampleEvaluation Result)>();
        foreach (var teacher in sources)
        {
            var evaluation = await evaluator.EvaluateAsync(new ProgramEvaluationRequest
            {
                Program = teacher,
                Examples = trainset,
                Metric = Options.Metric ?? AcceptAll,
                CaptureTraces = true,
                NumThreads = numThreads,
                MaxErrors = Math.Max(1, trainset.Count * 10),
                Phase = "bootstrap_trace",
            }, cancellationToken);
            traces.AddRange(evaluation.Results.Where(r => r.Succeeded).Select(r => (teacher, r)));
        }
        if (Options.Metric is not null) traces = traces.Where(t => t.Result.Score != 0).ToList();
        if (Log.IsEnabled(LogLevel.Information)) Log.LogInformation("After filtering with the metric, {Count} traces remain", traces.Count);

        var adapter = Options.Adapter ?? Settings.Current.Adapter as ChatAdapter ?? (Settings.Current.Adapter is null ? new ChatAdapter()
            : throw new ArgumentException($"BootstrapFinetune formats training data with a chat adapter's format_finetune_data; {Settings.Current.Adapter.GetType().Name} has none."));
        var keys = new List<(BaseLM Lm, int? PredictorIndex)>();
        var data = new List<List<IReadOnlyDictionary<string, object?>>>();
        for (var i = 0; i < predictors.Count; i++)
        {
            var key = (predictors[i].Lm!, Options.Multitask ? (int?)null : i);
            if (IndexOf(keys, key) >= 0) continue;
            keys.Add(key);
            data.Add(PrepareData(traces, key.Item2, adapter));
        }
        if (keys.Count > numThreads)
        {
            throw new ArgumentException($"BootstrapFinetune requires `num_threads` to be bigger than or equal to the number of fine-tuning jobs. "
                + $"There are {keys.Count} fine-tuning jobs to start, but the number of threads is: {numThreads}! If the `multitask` flag is set to "
                + "False, the number of fine-tuning jobs will be equal to the number of predictors in the student program. If the `multitask` flag "
                + "is set to True, the number of fine-tuning jobs will be equal to the number of unique LMs attached to the predictors.");
        }
        for (var j = 0; j < keys.Count; j++)
        {
            if (data[j].Count == 0)
                throw new ArgumentException($"No training data for {keys[j].Lm.Model}: no trace was kept (check the metric and the trainset).", nameof(trainset));
        }

        var provider = Options.Provider ?? new OpenAIFinetuneProvider();
        progress?.Report(CreateEvent(OptimizerEventKind.TrialStarted, usage.Budget, $"{keys.Count} fine-tuning job(s) on {string.Join(", ", data.Select(d => d.Count))} records"));
        // A dry run (DryRun.ProjectAsync) must not spend: no file is uploaded and no job started; the base LMs stand in for
        // the fine-tuned ones, so the calls after this step are projected with them.
        var jobs = Settings.Current.Projection is not null
            ? keys.Select((key, j) => new FinetuneJob(key.Lm.Model, key.Lm.Model + " (dry run: not fine-tuned)", key.Lm, "dry-run", "dry-run", data[j].Count, 0)).ToArray()
            : await Task.WhenAll(keys.Select((key, j) => provider.FinetuneAsync(key.Lm, data[j], TrainDataFormat.Chat, Options.TrainKwargs,
                Options.JobStore ?? Settings.Current.FinetuneJobs ?? FinetuneJobFolder.ForLm(key.Lm), cancellationToken)));

        for (var i = 0; i < predictors.Count; i++)
        {
            var job = jobs[IndexOf(keys, (predictors[i].Lm!, Options.Multitask ? (int?)null : i))];
            predictors[i].Lm = job.FinetunedLm;
            if (Options.ExcludeDemos) predictors[i].Demos = [];
        }
        program.Compiled = true;
        var budget = usage.Budget;
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, budget,
            $"fine-tuned {string.Join(", ", jobs.Select(j => $"{j.BaseModel} -> {j.FinetunedModel}{(j.Resumed ? $" (job {j.JobId} resumed)" : "")}"))} from {traces.Count} traces"));
        return new BootstrapFinetuneResult(program, jobs, trainset.Count, traces.Count, budget);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["metric"] = Options.Metric?.Name,
        ["multitask"] = Options.Multitask,
        ["exclude_demos"] = Options.ExcludeDemos,
        ["num_threads"] = Options.NumThreads is { } t ? (long)t : null,
    };

    private static readonly Metric AcceptAll = Metric.Create("accept_all", (e, p, t) => true);

    private List<IReadOnlyDictionary<string, object?>> PrepareData(List<(Module Teacher, ExampleEvaluation Result)> traces, int? predictorIndex, ChatAdapter adapter)
    {
        var records = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var (teacher, result) in traces)
        {
            var named = teacher.NamedPredictors().ToDictionary(p => p.Name, p => p.Predictor, StringComparer.Ordinal);
            for (var step = 0; step < result.Trace.Count; step++)
            {
                if (predictorIndex is { } only && step != only) continue;
                var s = result.Trace[step];
                // Steps of predictors outside the program cannot be formatted (their signature is unknown).
                if (s.PredictorName is null || !named.TryGetValue(s.PredictorName, out var predictor)) continue;
                var demos = Options.ExcludeDemos ? [] : predictor.Demos;
                records.Add(adapter.FormatFinetuneData(predictor.Signature, demos, s.Inputs, s.Outputs.ToDictionary()));
            }
        }
        new PythonRandom(0).Shuffle(records);
        return records;
    }

    private static int IndexOf(List<(BaseLM Lm, int? PredictorIndex)> keys, (BaseLM Lm, int? PredictorIndex) key) =>
        keys.FindIndex(k => ReferenceEquals(k.Lm, key.Lm) && k.PredictorIndex == key.PredictorIndex);

    // DSPy's assert_structural_equivalency and assert_no_shared_predictor.
    private static void CheckTeacher(Module student, Module teacher)
    {
        var s = student.NamedPredictors();
        var t = teacher.NamedPredictors();
        if (s.Count != t.Count)
        {
            throw new ArgumentException("Structurally equivalent programs must have the same number of predictors. The number of predictors for the "
                + $"two modules do not match: {s.Count} != {t.Count}");
        }
        for (var i = 0; i < s.Count; i++)
        {
            if (s[i].Name != t[i].Name)
            {
                throw new ArgumentException("Program predictor names must match at corresponding indices for structural equivalency. The predictor "
                    + $"names for the programs do not match at index {i}: '{s[i].Name}' != '{t[i].Name}'");
            }
        }
        var shared = s.Where(p => t.Any(q => ReferenceEquals(p.Predictor, q.Predictor))).Select(p => p.Name).ToList();
        if (shared.Count > 0) throw new ArgumentException($"The programs share the following predictor(s) with each other: {string.Join(", ", shared)}");
    }
}
