using System.Collections;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>BootstrapFewShot</c>: runs a teacher over the trainset and turns the traces of successful runs into demos
/// (reference/dspy.md section 3.0).
/// <list type="number">
/// <item>The student is reset-copied; the teacher is a deep copy of the given teacher (or of the student). If
/// <see cref="BootstrapFewShotOptions.MaxLabeledDemos"/> &gt; 0 and the teacher is not compiled, it first gets
/// <see cref="LabeledFewShot"/> demos.</item>
/// <item>Student and teacher predictors are paired by name: same names, equal signatures, distinct objects.</item>
/// <item>Examples are tried in trainset order until <see cref="BootstrapFewShotOptions.MaxBootstrappedDemos"/> succeeded, each up
/// to <see cref="BootstrapFewShotOptions.MaxRounds"/> times (round r &gt; 0 with <c>lm.Copy(rollout_id = r, temperature = 1.0)</c>),
/// with the example itself removed from the teacher's demos, under the teacher settings and a fresh trace. A run succeeds
/// when <c>metric(example, prediction, trace)</c> reaches the threshold (or is truthy without one); exceptions count towards
/// the error limit, which re-throws when reached.</item>
/// <item>Each trace step of a successful run becomes <c>Example(augmented=True, **inputs, **outputs)</c> for its predictor;
/// a predictor that ran several times keeps one step, chosen 50/50 between a random earlier step and the last one.</item>
/// <item>The examples not bootstrapped, shuffled with seed 0 (<see cref="BootstrapFewShotOptions.Seed"/>), are the labeled
/// pool; each student predictor gets <c>bootstrapped[:max] + sample(pool, max_labeled - len(bootstrapped))</c> with one
/// seed-0 sampler (the pool shrinks from
/// one predictor to the next), and the student is marked compiled.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>
/// Parallelism without changing the result: examples run in windows of <c>min(numThreads, demos still needed)</c>
/// consecutive examples, through <see cref="CompileOptions.Evaluator"/> (one request per round, with captured traces and
/// the example removed from the teacher's demos), so every run is a memoisable evaluation cell. When a window is done its outcomes are applied in trainset order with DSPy's sequential
/// rules: stop as soon as enough examples are bootstrapped, count errors and re-throw at the limit. A window never holds
/// more examples than demos are still needed, so it cannot overshoot the stopping point: the compiled program, the events
/// and the LM calls are DSPy's sequential ones for any thread count. The one exception is a run that ends by re-throwing
/// at the error limit, where later examples of that window have already run (their calls are in the budget).
/// When the LM budget (<see cref="LMBudget"/>) refuses a call, bootstrapping stops gracefully: the examples of the windows
/// already finished keep their demos and the window in progress is dropped.
/// </para>
/// <para>
/// Randomness: the labeled pool and the samples use <see cref="PythonRandom"/> with seed 0, so they match Python DSPy. The
/// 50/50 choice is seeded from the SHA-256 of the candidate demos' Python reprs (DSPy hashes them with the <c>datasets</c>
/// library, which .NET cannot reproduce), so it is deterministic but may differ from Python's pick.
/// </para>
/// </remarks>
public sealed class BootstrapFewShot : Teleprompter
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(BootstrapFewShot));

    /// <summary>Creates the optimizer with DSPy's keyword arguments and defaults.</summary>
    public BootstrapFewShot(Metric? metric = null, double? metricThreshold = null, Func<DspySettings, DspySettings>? teacherSettings = null,
        int maxBootstrappedDemos = 4, int maxLabeledDemos = 16, int maxRounds = 1, int? maxErrors = null, long seed = 0)
        : this(new BootstrapFewShotOptions
        {
            Metric = metric,
            MetricThreshold = metricThreshold,
            TeacherSettings = teacherSettings,
            MaxBootstrappedDemos = maxBootstrappedDemos,
            MaxLabeledDemos = maxLabeledDemos,
            MaxRounds = maxRounds,
            MaxErrors = maxErrors,
            Seed = seed,
        })
    {
    }

    /// <summary>Creates the optimizer from options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or <c>NumThreads</c>/<c>MaxErrors</c> is below 1.</exception>
    public BootstrapFewShot(BootstrapFewShotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBootstrappedDemos, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxLabeledDemos, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRounds, nameof(options));
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        if (options.MaxErrors is < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxErrors must be at least 1.");
        Options = options;
    }

    /// <summary>The settings.</summary>
    public BootstrapFewShotOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await BootstrapAsync(student, trainset, options, cancellationToken)).Program;

    /// <summary>Compiles like <see cref="CompileAsync"/> and returns the traces, the labeled pool and the counts as well.</summary>
    /// <exception cref="ArgumentException">Student and teacher do not have the same predictors and signatures.</exception>
    /// <exception cref="InvalidOperationException">The student is already compiled.</exception>
    public async Task<BootstrapFewShotResult> BootstrapAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        var progress = options?.Progress;

        var compiled = student.ResetCopy();
        if (compiled.Compiled) throw new InvalidOperationException("Student must be uncompiled.");
        var teacher = (options?.Teacher ?? student).DeepCopy();
        if (Options.MaxLabeledDemos > 0 && !teacher.Compiled)
        {
            teacher = new LabeledFewShot(Options.MaxLabeledDemos, Options.Seed).Compile(teacher.ResetCopy(), trainset);
        }
        var names = PairPredictors(compiled, teacher);

        using var usage = new OptimizerUsageScope();
        progress?.Report(CreateEvent(OptimizerEventKind.Started, message: $"{trainset.Count} examples, up to {Options.MaxBootstrappedDemos} bootstrapped demos")
            with { TotalTrials = trainset.Count });

        var state = new BootstrapState(names);
        await BootstrapExamplesAsync(teacher, trainset, state, usage, options, cancellationToken);

        if (Log.IsEnabled(LogLevel.Information))
        {
            Log.LogInformation("Bootstrapped {Count} full traces after {Examples} examples for up to {Rounds} rounds, amounting to {Attempts} attempts.",
                state.Bootstrapped.Count, state.LastExampleIndex, Options.MaxRounds, state.Attempts);
        }

        var bootstrapped = state.Bootstrapped.ToHashSet();
        var validation = trainset.Where((_, i) => !bootstrapped.Contains(i)).ToList();
        new PythonRandom(Options.Seed).Shuffle(validation);
        Train(compiled, state.Traces, validation);
        compiled.Compiled = true;

        var budget = usage.Budget;
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, budget,
            $"bootstrapped {state.Bootstrapped.Count} of {state.ExamplesProcessed} examples tried ({state.Attempts} attempts, {state.Errors} errors)"
            + (state.StoppedByBudget ? "; stopped by the LM budget" : "")));
        var traces = state.Traces.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Example>)kv.Value.ToList(), StringComparer.Ordinal);
        return new BootstrapFewShotResult(compiled, traces, [.. state.Bootstrapped], validation, state.ExamplesProcessed, state.Attempts,
            state.Errors, budget);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["metric"] = Options.Metric?.Name,
        ["metric_threshold"] = Options.MetricThreshold,
        ["max_bootstrapped_demos"] = (long)Options.MaxBootstrappedDemos,
        ["max_labeled_demos"] = (long)Options.MaxLabeledDemos,
        ["max_rounds"] = (long)Options.MaxRounds,
        ["max_errors"] = Options.MaxErrors is { } e ? (long)e : null,
        ["seed"] = Options.Seed,
    };

    // DSPy's _prepare_predictor_mappings: the names in order; its assertions become ArgumentExceptions.
    private static List<string> PairPredictors(Module student, Module teacher)
    {
        var s = student.NamedPredictors();
        var t = teacher.NamedPredictors();
        if (s.Count != t.Count) throw new ArgumentException("Student and teacher must have the same number of predictors.");
        for (var i = 0; i < s.Count; i++)
        {
            if (s[i].Name != t[i].Name) throw new ArgumentException("Student and teacher must have the same program structure.");
            if (!s[i].Predictor.Signature.StructurallyEquals(t[i].Predictor.Signature))
                throw new ArgumentException($"Student and teacher must have the same signatures. {s[i].Predictor.Signature.Name} != {t[i].Predictor.Signature.Name}");
            if (ReferenceEquals(s[i].Predictor, t[i].Predictor)) throw new ArgumentException("Student and teacher must be different objects.");
        }
        return s.Select(p => p.Name).ToList();
    }

    private sealed class BootstrapState(List<string> names)
    {
        public OrderedDictionary<string, List<Example>> Traces { get; } = new(names.Select(n => KeyValuePair.Create(n, new List<Example>())), StringComparer.Ordinal);
        public List<int> Bootstrapped { get; } = [];
        public int Attempts { get; set; }
        public int Errors { get; set; }
        public int ExamplesProcessed { get; set; }
        public int LastExampleIndex { get; set; }
        public bool StoppedByBudget { get; set; }
    }

    private sealed record Attempt(bool Success, IReadOnlyList<PredictorTraceStep> Trace, Exception? Error);

    // Accepts every run when no metric is given (DSPy: no metric means every trace is kept).
    private static readonly Metric s_acceptAll = new("accept_all", (_, _, _, _) => ValueTask.FromResult<object?>(true));

    private async Task BootstrapExamplesAsync(Module teacher, IReadOnlyList<Example> trainset, BootstrapState state, OptimizerUsageScope usage,
        CompileOptions? options, CancellationToken cancellationToken)
    {
        var progress = options?.Progress;
        var evaluator = ProgramScoring.EvaluatorOf(options);
        var settings = Settings.Current;
        var maxErrors = Options.MaxErrors ?? settings.MaxErrors;
        var numThreads = Options.NumThreads ?? settings.NumThreads;
        var maxBootstraps = Options.MaxBootstrappedDemos;
        var next = 0;
        while (next < trainset.Count && state.Bootstrapped.Count < maxBootstraps)
        {
            var window = Math.Min(Math.Min(numThreads, maxBootstraps - state.Bootstrapped.Count), trainset.Count - next);
            var start = next;
            List<Attempt>[] outcomes;
            try
            {
                outcomes = await RunWindowAsync(evaluator, teacher, trainset.Skip(start).Take(window).ToList(), numThreads, cancellationToken);
            }
            catch (BudgetExceededException ex)
            {
                // Graceful stop (invariant 3): the examples of finished windows keep their demos; this window is dropped.
                state.StoppedByBudget = true;
                Log.LogWarning("Bootstrapping stopped: {Reason}", ex.Message);
                state.LastExampleIndex = Math.Max(0, start - 1);
                return;
            }

            for (var j = 0; j < window; j++)
            {
                var index = start + j;
                state.LastExampleIndex = index;
                if (state.Bootstrapped.Count >= maxBootstraps) return; // DSPy's check before each example
                state.ExamplesProcessed++;
                var success = false;
                foreach (var attempt in outcomes[j])
                {
                    state.Attempts++;
                    if (attempt.Error is { } error)
                    {
                        state.Errors++;
                        if (state.Errors >= maxErrors) ExceptionDispatchInfo.Capture(error).Throw();
                        Log.LogError("Failed to run or to evaluate example {Example} with {Metric} due to {Error}.", trainset[index], Options.Metric?.Name, error.Message);
                        continue;
                    }
                    if (!attempt.Success) continue;
                    AddTraces(attempt, state);
                    state.Bootstrapped.Add(index);
                    success = true;
                    break;
                }
                progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget,
                    $"bootstrapped {state.Bootstrapped.Count}/{maxBootstraps} after {state.ExamplesProcessed} examples")
                    with { Trial = index, TotalTrials = trainset.Count, Score = success ? 1 : 0, BestScore = state.Bootstrapped.Count });
            }
            next += window;
        }
        state.LastExampleIndex = Math.Max(0, Math.Min(next, trainset.Count) - 1);
    }

    // The rounds of a window of examples through the evaluator seam: round 0 runs every example, round r > 0 (with
    // rollout_id = r and temperature 1.0) the ones that have not succeeded yet, which are exactly the runs DSPy's
    // per-example loop makes. Each run has the example removed from the teacher's demos and its own trace.
    private async Task<List<Attempt>[]> RunWindowAsync(IProgramEvaluator evaluator, Module teacher, List<Example> examples, int numThreads,
        CancellationToken cancellationToken)
    {
        var outcomes = examples.Select(_ => new List<Attempt>()).ToArray();
        var pending = Enumerable.Range(0, examples.Count).ToList();
        for (var round = 0; round < Options.MaxRounds && pending.Count > 0; round++)
        {
            var request = new ProgramEvaluationRequest
            {
                Program = teacher,
                Examples = pending.Select(j => examples[j]).ToList(),
                Metric = Options.Metric ?? s_acceptAll,
                CaptureTraces = true,
                ExcludeExampleFromDemos = true,
                LmOverrides = round == 0 ? null
                    : new Dictionary<string, object?>(StringComparer.Ordinal) { ["rollout_id"] = (long)round, ["temperature"] = 1.0 },
                NumThreads = numThreads,
                Phase = "bootstrap",
            };
            ProgramEvaluation evaluation;
            using (Settings.Context(s => Options.TeacherSettings?.Invoke(s) ?? s))
            {
                if (round > 0 && Settings.Current.Lm is null)
                {
                    // As in DSPy's loop, a round that cannot run is an error of each example, counted in order.
                    var error = new InvalidOperationException("No LM is loaded; BootstrapFewShot rounds after the first copy the configured LM.");
                    evaluation = new ProgramEvaluation(request.Examples.Select((e, i) => new ExampleEvaluation(i, e, new Prediction(), 0) { Error = error }).ToList());
                }
                else
                {
                    evaluation = await evaluator.EvaluateAsync(request, cancellationToken);
                }
            }
            var failed = new List<int>();
            for (var k = 0; k < pending.Count; k++)
            {
                var j = pending[k];
                var result = evaluation.Results[k];
                if (result.Error is { } error)
                {
                    outcomes[j].Add(new Attempt(false, [], error));
                    failed.Add(j);
                    continue;
                }
                var success = Options.Metric is null
                    || (Options.MetricThreshold is { } threshold && threshold != 0 ? Metric.ToScore(result.MetricValue) >= threshold : IsTruthy(result.MetricValue));
                outcomes[j].Add(new Attempt(success, result.Trace, null));
                if (!success) failed.Add(j);
            }
            pending = failed;
        }
        return outcomes;
    }

    private static void AddTraces(Attempt attempt, BootstrapState state)
    {
        var byName = new OrderedDictionary<string, List<Example>>(StringComparer.Ordinal);
        foreach (var step in attempt.Trace)
        {
            // Steps of predictors outside the teacher (DSPy's FIXME) are skipped.
            if (step.PredictorName is not { } name) continue;
            var demo = new Example { ["augmented"] = true };
            foreach (var (k, v) in step.Inputs) demo[k] = v;
            foreach (var (k, v) in step.Outputs.Items()) demo[k] = v;
            if (!byName.TryGetValue(name, out var list)) byName[name] = list = [];
            list.Add(demo);
        }
        foreach (var (name, demos) in byName)
        {
            var kept = demos;
            if (demos.Count > 1)
            {
                var rng = new PythonRandom(StableSeed(demos));
                // Python evaluates the condition first: rng.random() < 0.5, then rng.choice(demos[:-1]).
                kept = [rng.NextDouble() < 0.5 ? rng.Choice(demos[..^1]) : demos[^1]];
            }
            state.Traces[name].AddRange(kept);
        }
    }

    private static long StableSeed(IEnumerable<Example> demos)
    {
        var text = string.Join("\n", demos.Select(d => PythonRepr.Repr(d.ToDictionary())));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return (long)(BitConverter.ToUInt64(hash, 0) >> 1);
    }

    private void Train(Module student, OrderedDictionary<string, List<Example>> traces, List<Example> validation)
    {
        var rng = new PythonRandom(Options.Seed);
        var raw = validation;
        foreach (var (name, predictor) in student.NamedPredictors())
        {
            var augmented = traces[name].Take(Options.MaxBootstrappedDemos).ToList();
            var size = Math.Max(0, Math.Min(Options.MaxLabeledDemos - augmented.Count, raw.Count));
            raw = rng.Sample(raw, size);
            predictor.Demos = [.. augmented, .. raw];
        }
    }

    // Python's truthiness of a metric value: False, None, 0, empty strings and empty containers are false.
    private static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        double d => d != 0,
        float f => f != 0,
        decimal m => m != 0,
        IConvertible c => c.ToDouble(System.Globalization.CultureInfo.InvariantCulture) != 0,
        ICollection c => c.Count > 0,
        IEnumerable<KeyValuePair<string, object?>> pairs => pairs.Any(),
        _ => true,
    };
}
