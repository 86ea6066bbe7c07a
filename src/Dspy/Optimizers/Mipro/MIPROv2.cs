using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>MIPROv2</c>: jointly optimises each predictor's instruction and demos (reference/dspy.md section 3.1).
/// <list type="number">
/// <item>Datasets: without a valset the last <c>min(1000, max(1, int(0.8 n)))</c> trainset examples become the valset. In
/// auto mode (<c>light</c>/<c>medium</c>/<c>heavy</c>: N = 6/12/18, val size 100/300/1000) the valset is sampled down to
/// the val size with the shared generator, minibatching is on only for more than 50 val examples, there are N demo sets and
/// <c>int(0.5 N)</c> instruction candidates (N when zero-shot), and <c>num_trials = int(max(2 v log2 N, 1.5 N))</c> with
/// v = predictors, doubled unless zero-shot.</item>
/// <item>Demo sets: <see cref="FewShotDemoSets"/> under the task model (zero-shot runs build them with 3 bootstrapped and
/// 0 labeled demos to ground the proposals, then drop them).</item>
/// <item>Instructions: the <see cref="GroundedProposer"/> under the prompt model; slot 0 of each predictor's candidates is
/// its original instruction.</item>
/// <item>Search: the baseline is scored on the full valset and added as trial 0 with every parameter 0; then
/// <c>num_trials</c> TPE trials (<see cref="TpeSampler"/>, seeded with the seed), each scored on a fresh minibatch of
/// <c>minibatch_size</c> (or the full valset). After trial number t (counting the baseline as 1) a full evaluation runs when
/// <c>t % (minibatch_full_eval_steps + 1) == 0</c> or t is the last adjusted trial: the combination with the highest mean
/// minibatch score not yet fully evaluated is scored on the full valset and added to the TPE history. A strictly higher
/// full score becomes the best; the best full-validation program is returned.</item>
/// </list>
/// Every evaluation and bootstrapping run goes through <see cref="CompileOptions.Evaluator"/>.
/// </summary>
public sealed partial class MIPROv2 : Teleprompter
{
    private const int BootstrappedFewshotExamplesInContext = 3;
    private const int LabeledFewshotExamplesInContext = 0;
    private const int MinMinibatchSize = 50;

    private static ILogger Log => DspyLogging.CreateLogger(typeof(MIPROv2));

    /// <summary>Creates the optimizer with DSPy's keyword arguments and defaults.</summary>
    public MIPROv2(Metric metric, BaseLM? promptModel = null, BaseLM? taskModel = null, Func<DspySettings, DspySettings>? teacherSettings = null,
        int maxBootstrappedDemos = 4, int maxLabeledDemos = 4, string? auto = "light", int? numCandidates = null, int? numThreads = null,
        int? maxErrors = null, int seed = 9, double initTemperature = 1.0, bool verbose = false, bool trackStats = true, string? logDir = null,
        double? metricThreshold = null)
        : this(new MIPROv2Options
        {
            Metric = metric,
            PromptModel = promptModel,
            TaskModel = taskModel,
            TeacherSettings = teacherSettings,
            MaxBootstrappedDemos = maxBootstrappedDemos,
            MaxLabeledDemos = maxLabeledDemos,
            Auto = auto,
            NumCandidates = numCandidates,
            NumThreads = numThreads,
            MaxErrors = maxErrors,
            Seed = seed,
            InitTemperature = initTemperature,
            Verbose = verbose,
            TrackStats = trackStats,
            LogDir = logDir,
            MetricThreshold = metricThreshold,
        })
    {
    }

    /// <summary>Creates the optimizer from options.</summary>
    /// <exception cref="ArgumentException"><see cref="MIPROv2Options.Auto"/> is not light, medium, heavy or null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or a thread, error or parallelism limit is below 1.</exception>
    public MIPROv2(MIPROv2Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Metric, nameof(options));
        if (options.Auto is not (null or "light" or "medium" or "heavy"))
        {
            throw new ArgumentException($"Invalid value for auto: {options.Auto}. Must be one of light, medium, heavy or null.", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBootstrappedDemos, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxLabeledDemos, nameof(options));
        if (options.NumCandidates is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumCandidates must be at least 1.");
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        if (options.MaxErrors is < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxErrors must be at least 1.");
        if (options.TrialParallelism < 1) throw new ArgumentOutOfRangeException(nameof(options), "TrialParallelism must be at least 1.");
        Options = options;
    }

    /// <summary>The settings.</summary>
    public MIPROv2Options Options { get; }

    /// <summary>DSPy's auto budgets: N (demo sets; instruction candidates are half of it with demos) and the val size.</summary>
    public static (int N, int ValSize) AutoRunSettings(string auto) => auto switch
    {
        "light" => (6, 100),
        "medium" => (12, 300),
        "heavy" => (18, 1000),
        _ => throw new ArgumentException($"Invalid value for auto: {auto}. Must be one of light, medium, heavy.", nameof(auto)),
    };

    /// <summary>DSPy's <c>_set_num_trials_from_num_candidates</c>: <c>int(max(2 v log2(n), 1.5 n))</c>, v = predictors (doubled unless zero-shot).</summary>
    public static int NumTrialsFromNumCandidates(int numPredictors, bool zeroShot, int numCandidates)
    {
        var numVars = zeroShot ? numPredictors : 2 * numPredictors;
        return (int)Math.Max(2 * numVars * Math.Log2(numCandidates), 1.5 * numCandidates);
    }

    /// <summary>DSPy's trial count including full evaluations: <c>t + t // steps + 1 + (1 if t % steps else 0)</c> with minibatches, else t.</summary>
    public static int AdjustedNumTrials(int numTrials, bool minibatch, int fullEvalSteps) =>
        minibatch ? numTrials + numTrials / fullEvalSteps + 1 + (numTrials % fullEvalSteps != 0 ? 1 : 0) : numTrials;

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await OptimizeAsync(student, trainset, options, null, cancellationToken)).Program;

    /// <summary>DSPy's <c>compile</c> with all its keyword arguments, returning the program and DSPy's attributes.</summary>
    /// <exception cref="ArgumentException">Invalid datasets or an invalid combination of auto, candidates and trials (DSPy's ValueErrors).</exception>
    /// <exception cref="InvalidOperationException">No prompt or task model is given or configured.</exception>
    public async Task<MIPROv2Result> OptimizeAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        MIPROv2CompileArgs? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        args ??= new MIPROv2CompileArgs();
        var settings = Settings.Current;
        var promptModel = Options.PromptModel ?? settings.Lm;
        var taskModel = Options.TaskModel ?? settings.Lm;
        if (promptModel is null || taskModel is null)
        {
            throw new InvalidOperationException("Either provide both prompt_model and task_model or set a default LM through dspy.configure(lm=...)");
        }
        if (args.RequiresPermissionToRun == true)
        {
            throw new ArgumentException("User confirmation is removed from MIPROv2. Please remove the 'requires_permission_to_run' argument.", nameof(args));
        }
        if (args.RequiresPermissionToRun == false) Log.LogWarning("'requires_permission_to_run' is deprecated and will be removed in a future version.");
        if (args.MinibatchSize < 1) throw new ArgumentOutOfRangeException(nameof(args), "MinibatchSize must be at least 1.");
        if (args.MinibatchFullEvalSteps < 1) throw new ArgumentOutOfRangeException(nameof(args), "MinibatchFullEvalSteps must be at least 1.");
        if (args.ViewDataBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(args), "ViewDataBatchSize must be at least 1.");

        var maxErrors = Options.MaxErrors ?? settings.MaxErrors;
        var maxBootstrapped = args.MaxBootstrappedDemos ?? Options.MaxBootstrappedDemos;
        var maxLabeled = args.MaxLabeledDemos ?? Options.MaxLabeledDemos;
        var zeroShot = maxBootstrapped == 0 && maxLabeled == 0;
        var numTrials = args.NumTrials;
        ValidateRunMode(student, zeroShot, numTrials);

        // DSPy's `seed or self.seed`: 0 falls back to the optimizer's seed (stanfordnlp/dspy#10321).
        var seed = args.Seed is { } s && s != 0 ? s : Options.Seed;
        var rng = new PythonRandom(seed);
        var (train, valset) = SplitDatasets(trainset, options?.Valset);

        var numInstruct = Options.NumCandidates ?? 0;
        var numFewshot = Options.NumCandidates ?? 0;
        var minibatch = args.Minibatch;
        if (Options.Auto is { } auto)
        {
            var (n, valSize) = AutoRunSettings(auto);
            valset = Sample(valset, Math.Min(valSize, valset.Count), rng);
            minibatch = valset.Count > MinMinibatchSize;
            numInstruct = zeroShot ? n : (int)(n * 0.5);
            numFewshot = n;
            numTrials = NumTrialsFromNumCandidates(student.Predictors().Count, zeroShot, n);
            if (Log.IsEnabled(LogLevel.Information))
            {
                Log.LogInformation("Running with the following {Auto} auto run settings: num_trials: {Trials}, minibatch: {Minibatch}, num_fewshot_candidates: {Fewshot}, num_instruct_candidates: {Instruct}, valset size: {Val}",
                    auto.ToUpperInvariant(), numTrials, minibatch, numFewshot, numInstruct, valset.Count);
            }
        }
        if (minibatch && args.MinibatchSize > valset.Count)
        {
            throw new ArgumentException($"Minibatch size cannot exceed the size of the valset. Valset size: {valset.Count}.", nameof(args));
        }

        var evaluator = ProgramScoring.EvaluatorOf(options);
        var program = student.DeepCopy();
        var progress = options?.Progress;
        using var usage = new OptimizerUsageScope();
        var adjusted = AdjustedNumTrials(numTrials!.Value, minibatch, args.MinibatchFullEvalSteps);
        progress?.Report(CreateEvent(OptimizerEventKind.Started,
            message: $"{numTrials} trials ({adjusted} with full evaluations), {numFewshot} demo sets, {numInstruct} instruction candidates, {train.Count} train / {valset.Count} val examples, minibatch {minibatch}")
            with { TotalTrials = adjusted });

        // Step 1: demo-set candidates under the task model.
        List<List<List<Example>>> demoCandidates;
        using (Settings.Context(c => c with { Lm = taskModel }))
        {
            demoCandidates = await FewShotDemoSets.CreateAsync(program, numFewshot, train,
                zeroShot ? LabeledFewshotExamplesInContext : maxLabeled, zeroShot ? BootstrappedFewshotExamplesInContext : maxBootstrapped,
                Options.Metric, Options.TeacherSettings, maxErrors, Options.MetricThreshold, options?.Teacher, Options.NumThreads, rng, evaluator, cancellationToken);
        }

        // Step 2: instruction candidates under the prompt model, metered on their own for prompt_model_total_calls.
        List<List<string>> instructionCandidates;
        long promptCalls;
        using (var proposalUsage = new OptimizerUsageScope())
        {
            var proposer = await GroundedProposer.CreateAsync(promptModel, program, train, rng, args.ViewDataBatchSize, args.ProgramAwareProposer,
                args.DataAwareProposer, args.FewshotAwareProposer, args.TipAwareProposer, Options.InitTemperature, BootstrappedFewshotExamplesInContext,
                cancellationToken);
            instructionCandidates = await proposer.ProposeInstructionsForProgramAsync(program, demoCandidates, numInstruct, cancellationToken);
            var predictors = program.Predictors();
            for (var i = 0; i < predictors.Count; i++)
            {
                instructionCandidates[i][0] = predictors[i].Signature.Instructions;
                if (Options.Verbose && Log.IsEnabled(LogLevel.Information))
                {
                    for (var j = 0; j < instructionCandidates[i].Count; j++) Log.LogInformation("Predictor {Predictor}, instruction {Index}: {Instruction}", i, j, instructionCandidates[i][j]);
                }
            }
            promptCalls = proposalUsage.Budget.LmCalls;
        }

        // Step 3: the search under the task model.
        var search = new Search(this, program, instructionCandidates, zeroShot ? null : demoCandidates, valset, numTrials.Value, minibatch, args,
            seed, rng, evaluator, maxErrors, progress, usage, adjusted);
        using (Settings.Context(c => c with { Lm = taskModel }))
        {
            await search.RunAsync(cancellationToken);
        }

        var budget = usage.Budget;
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, budget,
            $"best full-validation score {Format(search.BestScore)} (baseline {Format(search.DefaultScore)}) after {numTrials} trials")
            with { TotalTrials = adjusted, BestScore = search.BestScore });
        var sorted = search.ScoreData.OrderByDescending(c => c.Score).ToList();
        return new MIPROv2Result
        {
            Program = search.BestProgram,
            Score = search.BestScore,
            DefaultScore = search.DefaultScore,
            NumTrials = numTrials.Value,
            Minibatch = minibatch,
            TrainsetSize = train.Count,
            ValsetSize = valset.Count,
            InstructionCandidates = instructionCandidates,
            DemoCandidates = zeroShot ? null : demoCandidates,
            TrialLogs = Options.TrackStats ? search.TrialLogs.OrderBy(t => t.TrialNumber).ToList() : [],
            CandidatePrograms = Options.TrackStats ? sorted.Where(c => c.FullEval).ToList() : [],
            MinibatchCandidatePrograms = Options.TrackStats ? sorted.Where(c => !c.FullEval).ToList() : [],
            TotalEvalCalls = search.TotalEvalCalls,
            PromptModelTotalCalls = promptCalls,
            StoppedByBudget = search.StoppedByBudget,
            Budget = budget,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["metric"] = Options.Metric.Name,
        ["prompt_model"] = Options.PromptModel?.Model,
        ["task_model"] = Options.TaskModel?.Model,
        ["max_bootstrapped_demos"] = (long)Options.MaxBootstrappedDemos,
        ["max_labeled_demos"] = (long)Options.MaxLabeledDemos,
        ["auto"] = Options.Auto,
        ["num_candidates"] = Options.NumCandidates is { } c ? (long)c : null,
        ["num_threads"] = Options.NumThreads is { } t ? (long)t : null,
        ["max_errors"] = Options.MaxErrors is { } e ? (long)e : null,
        ["seed"] = (long)Options.Seed,
        ["init_temperature"] = Options.InitTemperature,
        ["verbose"] = Options.Verbose,
        ["track_stats"] = Options.TrackStats,
        ["log_dir"] = Options.LogDir,
        ["metric_threshold"] = Options.MetricThreshold,
        ["trial_parallelism"] = (long)Options.TrialParallelism,
    };

    // DSPy's checks of auto against num_candidates / num_trials, with its messages.
    private void ValidateRunMode(Module student, bool zeroShot, int? numTrials)
    {
        if (Options.Auto is null && Options.NumCandidates is { } candidates && numTrials is null)
        {
            throw new ArgumentException($"If auto is None, num_trials must also be provided. Given num_candidates={candidates}, we'd recommend setting num_trials to ~{NumTrialsFromNumCandidates(student.Predictors().Count, zeroShot, candidates)}.");
        }
        if (Options.Auto is null && (Options.NumCandidates is null || numTrials is null))
        {
            throw new ArgumentException("If auto is None, num_candidates must also be provided.");
        }
        if (Options.Auto is not null && (Options.NumCandidates is not null || numTrials is not null))
        {
            throw new ArgumentException("If auto is not None, num_candidates and num_trials cannot be set, since they would be overridden by the auto settings. Please either set auto to None, or do not specify num_candidates and num_trials.");
        }
        if (numTrials is < 1) throw new ArgumentOutOfRangeException(nameof(numTrials), "num_trials must be at least 1.");
    }

    // DSPy's _set_and_validate_datasets: without a valset the last 80% (at most 1000) of the trainset validates.
    private static (List<Example> Train, List<Example> Val) SplitDatasets(IReadOnlyList<Example> trainset, IReadOnlyList<Example>? valset)
    {
        if (trainset.Count == 0) throw new ArgumentException("Trainset cannot be empty.", nameof(trainset));
        if (valset is null)
        {
            if (trainset.Count < 2) throw new ArgumentException("Trainset must have at least 2 examples if no valset specified.", nameof(trainset));
            var valsetSize = Math.Min(1000, Math.Max(1, (int)(trainset.Count * 0.80)));
            var cutoff = trainset.Count - valsetSize;
            return (trainset.Take(cutoff).ToList(), trainset.Skip(cutoff).ToList());
        }
        if (valset.Count < 1) throw new ArgumentException("Validation set must have at least 1 example.", nameof(valset));
        return (trainset.ToList(), valset.ToList());
    }

    // DSPy's create_minibatch: rng.sample(range(len(data)), size), so the draws match Python's.
    internal static List<Example> Sample(IReadOnlyList<Example> data, int size, PythonRandom rng) =>
        rng.Sample(Enumerable.Range(0, data.Count).ToList(), Math.Min(size, data.Count)).Select(i => data[i]).ToList();

    private static string Format(double score) => score.ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
