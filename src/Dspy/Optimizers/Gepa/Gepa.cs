using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>GEPA</c> (reflective prompt evolution with the gepa engine; reference/dspy.md section 3.2). Candidates are
/// instruction sets (predictor name to instruction). The student is scored on the valset; then each iteration:
/// <list type="number">
/// <item>if a merge is due and the last iteration accepted a program, two non-dominated candidates sharing an ancestor are
/// merged predictor by predictor and scored on 5 validation examples; the merge is kept (and scored on the valset) when its
/// sum reaches the better parent's, and the iteration ends;</item>
/// <item>otherwise a parent is sampled from the instance-level Pareto front, run with traces on the next training
/// minibatch (skipped when it is already perfect there), one predictor (round robin) gets a reflective dataset of inputs,
/// outputs and metric feedback, the reflection LM writes it a new instruction, and the child runs on the same minibatch;
/// it is kept only if its sum beats the parent's, then scored on the whole valset and added to the front.</item>
/// </list>
/// The best mean validation score wins. Every evaluation goes through <see cref="CompileOptions.Evaluator"/>.
/// </summary>
/// <remarks>
/// Budget: <see cref="GepaBudget.Resolve"/>. DSPy checks the budget only at the top of an iteration and may overshoot it
/// by up to one valset evaluation; here <c>max_metric_calls</c> is a hard limit (DESIGN invariant 3): the run ends before
/// any evaluation that would not fit, so it never makes more metric calls than the budget.
/// Under an <see cref="LMBudget"/>, the seed evaluation, each round of proposals, each merge and each full evaluation is a
/// <see cref="BudgetStop"/> trial: an incomplete one is dropped and the run returns the best program found so far.
/// Parallelism (DESIGN invariant 4): <see cref="GepaOptions.ProposalParallelism"/> proposals per round, each with its own
/// random stream from (seed, round, slot), applied in slot order; <see cref="GepaOptions.NumThreads"/> only changes how
/// many examples run at once. Results depend on neither. With a <see cref="GepaOptions.FrontStore"/> the front and the
/// search counters are saved after the seed evaluation and after every round, and a run that finds a checkpoint there
/// continues from it: every random stream is derived from (seed, round, slot), so it reaches the uninterrupted result.
/// </remarks>
public sealed partial class Gepa : Teleprompter
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(Gepa));

    /// <summary>Creates GEPA with DSPy's keyword arguments and defaults.</summary>
    public Gepa(Metric metric, GepaAuto? auto = null, int? maxFullEvals = null, long? maxMetricCalls = null, BaseLM? reflectionLm = null,
        int reflectionMinibatchSize = 3, GepaCandidateSelection candidateSelectionStrategy = GepaCandidateSelection.Pareto,
        bool skipPerfectScore = true, bool useMerge = true, int maxMergeInvocations = 5, int? numThreads = null, int seed = 0)
        : this(new GepaOptions
        {
            Metric = metric,
            Auto = auto,
            MaxFullEvals = maxFullEvals,
            MaxMetricCalls = maxMetricCalls,
            ReflectionLm = reflectionLm,
            ReflectionMinibatchSize = reflectionMinibatchSize,
            CandidateSelectionStrategy = candidateSelectionStrategy,
            SkipPerfectScore = skipPerfectScore,
            UseMerge = useMerge,
            MaxMergeInvocations = maxMergeInvocations,
            NumThreads = numThreads,
            Seed = seed,
        })
    {
    }

    /// <summary>Creates GEPA from options.</summary>
    /// <exception cref="ArgumentException">Not exactly one budget is set, or neither a reflection LM nor a proposer is given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is out of range.</exception>
    public Gepa(GepaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Metric, nameof(options));
        var set = (options.Auto is null ? 0 : 1) + (options.MaxFullEvals is null ? 0 : 1) + (options.MaxMetricCalls is null ? 0 : 1);
        if (set != 1)
        {
            throw new ArgumentException("Exactly one of auto, max_full_evals, max_metric_calls must be set. "
                + $"You set auto={options.Auto?.ToString().ToLowerInvariant() ?? "None"}, max_full_evals={options.MaxFullEvals?.ToString(CultureInfo.InvariantCulture) ?? "None"}, "
                + $"max_metric_calls={options.MaxMetricCalls?.ToString(CultureInfo.InvariantCulture) ?? "None"}.", nameof(options));
        }
        if (options.ReflectionLm is null && options.InstructionProposer is null)
        {
            throw new ArgumentException("GEPA requires a reflection language model, or custom instruction proposer to be provided. "
                + "Set ReflectionLm (e.g. new LM(\"openai/gpt-4o\", temperature: 1.0, maxTokens: 32000)) or InstructionProposer.", nameof(options));
        }
        if (options.MaxFullEvals is < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxFullEvals must be at least 1.");
        if (options.MaxMetricCalls is < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxMetricCalls must be at least 1.");
        if (options.ReflectionMinibatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "ReflectionMinibatchSize must be at least 1.");
        if (options.MaxMergeInvocations < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxMergeInvocations must not be negative.");
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        if (options.ProposalParallelism < 1) throw new ArgumentOutOfRangeException(nameof(options), "ProposalParallelism must be at least 1.");
        Options = options;
    }

    /// <inheritdoc/>
    public override string Name => "GEPA";

    /// <summary>The settings.</summary>
    public GepaOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await OptimizeAsync(student, trainset, options, cancellationToken)).Program;

    /// <summary>DSPy's <c>compile(student, *, trainset, teacher=None, valset=None)</c>, returning the search as well as the program.</summary>
    /// <param name="student">The program whose predictor instructions are optimized; not changed.</param>
    /// <param name="trainset">Examples the reflective minibatches come from.</param>
    /// <param name="options">Valset (null or empty means the trainset), evaluator and progress. A teacher is not accepted.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <exception cref="ArgumentException">A teacher is given, the trainset is empty, or the student has no predictor.</exception>
    public async Task<GepaResult> OptimizeAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        if (options?.Teacher is not null) throw new ArgumentException("Teacher is not supported in DspyGEPA yet.", nameof(options));
        if (trainset.Count == 0) throw new ArgumentException("Trainset must be provided and non-empty.", nameof(trainset));
        var names = student.NamedPredictors().Select(p => p.Name).ToList();
        if (names.Count == 0) throw new ArgumentException("The student has no predictor whose instructions GEPA could optimize.", nameof(student));

        var passedValset = options?.Valset is { Count: > 0 } v ? v : null;
        var valset = passedValset ?? trainset;
        var budget = GepaBudget.Resolve(Options.Auto, Options.MaxFullEvals, Options.MaxMetricCalls, names.Count, trainset.Count, passedValset?.Count);
        using var usage = new OptimizerUsageScope();
        var run = new GepaRun(this, student, names, trainset, valset, budget, ProgramScoring.EvaluatorOf(options), options?.Progress, usage);
        options?.Progress?.Report(CreateEvent(OptimizerEventKind.Started, usage.Budget,
            $"budget {budget} metric calls; {trainset.Count} train / {valset.Count} val examples; {names.Count} predictor(s)"));
        if (Log.IsEnabled(LogLevel.Information)) Log.LogInformation("GEPA: running with a budget of {Budget} metric calls", budget);

        var store = Options.FrontStore;
        var runKey = RunKey(student, names, trainset, valset, budget);
        var saved = store is null ? null : await store.LoadAsync(cancellationToken);
        if (saved is not null)
        {
            if (saved.RunKey != runKey)
            {
                throw new InvalidOperationException("The GEPA front store holds the checkpoint of another run (a different seed, budget, parallelism, "
                    + "student or data); give each run its own store.");
            }
            run.Restore(saved);
            run.ReportFront();
        }
        else
        {
            await run.InitializeAsync(cancellationToken);
            if (run.Front is not null)
            {
                if (store is not null) await store.SaveAsync(run.Checkpoint(runKey), cancellationToken);
                run.ReportFront();
            }
        }
        if (run.Front is not null)
        {
            while (!run.Stopped && run.TotalCalls < budget)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (BudgetStop.IsExhausted)
                {
                    run.Stop("the LM budget is exhausted");
                    break;
                }
                run.Round++;
                var before = run.FrontSignature();
                if (!await TryMergeAsync(run, cancellationToken)) await ReflectAsync(run, cancellationToken);
                // The round's results are all applied (in slot order): this is the state a resumed run starts from.
                if (store is not null) await store.SaveAsync(run.Checkpoint(runKey), cancellationToken);
                if (run.FrontSignature() != before) run.ReportFront();
            }
        }

        var front = run.Front ?? throw new InvalidOperationException(
            $"The budget of {budget} metric calls is smaller than one evaluation of the student on the {valset.Count} validation examples.");
        var best = front.BestIndex;
        var program = run.Build(front.Candidates[best].Instructions);
        var result = new GepaResult(program, best, front.Candidates[best].AggregateScore, run.TotalCalls, budget, front.ToState(), usage.Budget)
        {
            DetailedResults = Options.TrackStats ? run.Details(best) : null,
        };
        options?.Progress?.Report(CreateEvent(OptimizerEventKind.Finished, usage.Budget,
            $"{front.Candidates.Count} candidates, best #{best} with mean validation score {PythonFloat.Repr(result.BestScore)}; {run.TotalCalls} of {budget} metric calls")
            with { BestScore = result.BestScore, Trial = best });
        return result;
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["metric"] = Options.Metric.Name,
        ["auto"] = Options.Auto?.ToString().ToLowerInvariant(),
        ["max_full_evals"] = Options.MaxFullEvals is { } f ? (long)f : null,
        ["max_metric_calls"] = Options.MaxMetricCalls,
        ["reflection_minibatch_size"] = (long)Options.ReflectionMinibatchSize,
        ["candidate_selection_strategy"] = Options.CandidateSelectionStrategy == GepaCandidateSelection.Pareto ? "pareto" : "current_best",
        ["reflection_lm"] = Options.ReflectionLm?.Model,
        ["skip_perfect_score"] = Options.SkipPerfectScore,
        ["add_format_failure_as_feedback"] = Options.AddFormatFailureAsFeedback,
        ["component_selector"] = Options.ComponentSelector == GepaComponentSelection.RoundRobin ? "round_robin" : "all",
        ["use_merge"] = Options.UseMerge,
        ["max_merge_invocations"] = (long)Options.MaxMergeInvocations,
        ["num_threads"] = Options.NumThreads is { } t ? (long)t : null,
        ["failure_score"] = Options.FailureScore,
        ["perfect_score"] = Options.PerfectScore,
        ["track_stats"] = Options.TrackStats,
        ["track_best_outputs"] = Options.TrackBestOutputs,
        ["seed"] = (long)Options.Seed,
        ["proposal_parallelism"] = (long)Options.ProposalParallelism,
    };

    // Everything a checkpoint's meaning depends on; NumThreads is left out because results never depend on it.
    private string RunKey(Module student, IReadOnlyList<string> names, IReadOnlyList<Example> trainset, IReadOnlyList<Example> valset, long budget)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"seed={Options.Seed};k={Options.ProposalParallelism};budget={budget};train={trainset.Count};val={valset.Count};");
        text.Append(CultureInfo.InvariantCulture, $"mb={Options.ReflectionMinibatchSize};sel={Options.CandidateSelectionStrategy};comp={Options.ComponentSelector};");
        text.Append(CultureInfo.InvariantCulture, $"merge={Options.UseMerge}/{Options.MaxMergeInvocations};skip={Options.SkipPerfectScore}/{PythonFloat.Repr(Options.PerfectScore)};");
        text.Append(CultureInfo.InvariantCulture, $"fail={PythonFloat.Repr(Options.FailureScore)};metric={Options.Metric.Name};");
        foreach (var (name, predictor) in student.NamedPredictors()) text.Append(name).Append('=').Append(predictor.Signature.Instructions).Append('\u0001');
        foreach (var name in names) text.Append(name).Append('\u0002');
        // The examples themselves (DSPy's repr), so a checkpoint is never applied to other data of the same size.
        foreach (var example in trainset) text.Append(example).Append('\u0003');
        foreach (var example in valset) text.Append(example).Append('\u0004');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private Task<ProgramEvaluation> EvaluateAsync(GepaRun run, Module program, IReadOnlyList<Example> examples, bool traces, string phase,
        CancellationToken cancellationToken) =>
        run.Evaluator.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = program,
            Examples = examples,
            Metric = Options.Metric,
            CaptureTraces = traces,
            FailureScore = Options.FailureScore,
            NumThreads = Options.NumThreads,
            Phase = phase,
        }, cancellationToken);

    // Scores accepted programs on the whole valset, concurrently, and adds them to the front in the order given (GEPA's
    // _run_full_eval_and_add, once per program); returns how many were added. Programs whose evaluation does not fit in the
    // budget are not started, and an evaluation the LM budget cut short drops it and every later one: the run then stops.
    private async Task<int> AddToFrontAsync(GepaRun run, List<(IReadOnlyDictionary<string, string> Instructions, IReadOnlyList<int> Parents)> programs,
        string origin, CancellationToken cancellationToken)
    {
        var fitting = 0;
        while (fitting < programs.Count && run.Fits((fitting + 1L) * run.Valset.Count)) fitting++;
        var trials = await Task.WhenAll(programs.Take(fitting).Select(p =>
        {
            var program = run.Build(p.Instructions);
            return BudgetStop.RunTrialAsync(ct => EvaluateAsync(run, program, run.Valset, traces: false, "full", ct), cancellationToken);
        }));
        for (var k = 0; k < fitting; k++)
        {
            if (!trials[k].Completed)
            {
                run.Stop("the LM budget ran out during a full validation evaluation");
                return k;
            }
            run.Add(programs[k].Instructions, programs[k].Parents, trials[k].Result!, run.TotalCalls, origin);
        }
        if (fitting < programs.Count) run.Stop("the full validation evaluation of an accepted program does not fit in the remaining budget");
        return fitting;
    }
}
