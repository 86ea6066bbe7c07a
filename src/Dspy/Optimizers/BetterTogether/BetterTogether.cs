using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>BetterTogether(metric, **optimizers)</c>: alternates prompt optimization and weight optimization (fine-tuning)
/// along a strategy such as <c>"p -&gt; w -&gt; p"</c>. Defaults: <c>p</c> = <see cref="BootstrapFewShotWithRandomSearch"/>,
/// <c>w</c> = <see cref="BootstrapFinetune"/>, both with the metric; any <see cref="Teleprompter"/> can be given under any key.
/// <list type="number">
/// <item>The trainset must not be empty; without a valset the first <c>int(valset_ratio * n)</c> examples validate and the
/// rest train.</item>
/// <item>The original program is scored on the valset (through <see cref="CompileOptions.Evaluator"/>); then each step runs
/// its optimizer on the (re-shuffled, with a generator seeded once) trainset with the teacher and valset, restores the
/// predictors' LMs if the optimizer cleared them (random search resets its candidates), and is scored.</item>
/// <item>A step that throws stops the run (logged, <see cref="BetterTogetherResult.FlagCompilationErrorOccurred"/> set);
/// a validation that throws scores 0.</item>
/// <item>With a valset the best-scoring program wins (earlier wins ties); without one, the latest.</item>
/// </list>
/// </summary>
public sealed class BetterTogether : Teleprompter
{
    /// <summary>The separator of strategy steps.</summary>
    public const string StrategySeparator = " -> ";

    private static ILogger Log => DspyLogging.CreateLogger(typeof(BetterTogether));

    /// <summary>Creates the meta-optimizer with its optimizers by key; none means <c>p</c> = random search and <c>w</c> = BootstrapFinetune.</summary>
    /// <exception cref="ArgumentException">A key is empty or contains the separator.</exception>
    public BetterTogether(Metric metric, IReadOnlyDictionary<string, Teleprompter>? optimizers = null, BetterTogetherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(metric);
        Metric = metric;
        Optimizers = optimizers is { Count: > 0 }
            ? new Dictionary<string, Teleprompter>(optimizers, StringComparer.Ordinal)
            : new Dictionary<string, Teleprompter>(StringComparer.Ordinal)
            {
                ["p"] = new BootstrapFewShotWithRandomSearch(metric),
                ["w"] = new BootstrapFinetune(metric),
            };
        foreach (var (key, optimizer) in Optimizers)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Contains(StrategySeparator, StringComparison.Ordinal))
                throw new ArgumentException($"Optimizer key '{key}' must be non-empty and must not contain '{StrategySeparator}'.", nameof(optimizers));
            if (optimizer is null) throw new ArgumentException($"Optimizer '{key}' must be a Teleprompter, got null.", nameof(optimizers));
        }
        Options = options ?? new BetterTogetherOptions();
        if (Options.ValsetRatio is < 0 or >= 1 || double.IsNaN(Options.ValsetRatio))
            throw new ArgumentException($"valset_ratio must be in range [0, 1), got {Options.ValsetRatio}", nameof(options));
        _ = ParseStrategy(Options.Strategy);
    }

    /// <summary>The metric that scores every step.</summary>
    public Metric Metric { get; }

    /// <summary>The optimizers by strategy key.</summary>
    public IReadOnlyDictionary<string, Teleprompter> Optimizers { get; }

    /// <summary>The compile arguments.</summary>
    public BetterTogetherOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await RunAsync(student, trainset, options, cancellationToken)).Program;

    /// <summary>Runs the strategy and returns the candidates and the budget as well as the chosen program.</summary>
    /// <exception cref="ArgumentException">The trainset is empty or the student is compiled.</exception>
    public async Task<BetterTogetherResult> RunAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        if (trainset.Count == 0) throw new ArgumentException("trainset cannot be empty", nameof(trainset));
        if (student.Compiled) throw new ArgumentException("The student program should not be compiled.", nameof(student));
        var steps = ParseStrategy(Options.Strategy);
        var progress = options?.Progress;
        var evaluator = ProgramScoring.EvaluatorOf(options);

        var train = trainset.ToList();
        var valset = options?.Valset is { Count: > 0 } given ? given : null;
        if (valset is null && Options.ValsetRatio > 0)
        {
            var numVal = (int)(Options.ValsetRatio * train.Count);
            valset = train.Take(numVal).ToList();
            train = train.Skip(numVal).ToList();
        }

        using var usage = new OptimizerUsageScope();
        progress?.Report(CreateEvent(OptimizerEventKind.Started,
            message: $"strategy '{Options.Strategy}', {train.Count} train / {valset?.Count ?? 0} val examples") with { TotalTrials = steps.Count + 1 });
        var rng = new PythonRandom(Options.Seed);
        var candidates = new List<BetterTogetherCandidate>();
        var program = student.DeepCopy();
        var baselineTrial = await BudgetStop.RunTrialAsync(token => ScoreAsync(evaluator, program, valset, token), cancellationToken);
        if (!baselineTrial.Completed) throw BudgetStop.Exhausted(baselineTrial.Exception);
        var baseline = baselineTrial.Result;
        candidates.Add(new BetterTogetherCandidate("", baseline, program.DeepCopy()));
        progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget, $"original program scored {Describe(baseline)}")
            with { Trial = 0, TotalTrials = steps.Count + 1, Score = baseline, BestScore = baseline });

        var failed = false;
        for (var i = 0; i < steps.Count; i++)
        {
            var strategy = string.Join(StrategySeparator, steps.Take(i + 1));
            var key = steps[i];
            var optimizer = Optimizers[key];
            progress?.Report(CreateEvent(OptimizerEventKind.TrialStarted, usage.Budget, $"step {i + 1}/{steps.Count}: {optimizer.Name} ('{strategy}')")
                with { Trial = i + 1, TotalTrials = steps.Count + 1 });
            try
            {
                if (Options.ShuffleTrainsetBetweenSteps) rng.Shuffle(train);
                var lmsBefore = program.Predictors().Select(p => p.Lm).ToList();
                program.Compiled = false;
                var overrides = Options.OptimizerCompileOptions?.GetValueOrDefault(key);
                var compileOptions = new CompileOptions
                {
                    Teacher = overrides?.Teacher ?? options?.Teacher,
                    Valset = overrides?.Valset ?? valset,
                    Evaluator = overrides?.Evaluator ?? evaluator,
                    Progress = overrides?.Progress ?? progress,
                };
                program = await optimizer.CompileAsync(program, train.ToList(), compileOptions, cancellationToken);
                var predictors = program.Predictors();
                if (predictors.Any(p => p.Lm is null))
                {
                    // Some optimizers (random search's reset copies) clear the predictors' LMs, which weight optimization needs.
                    if (Log.IsEnabled(LogLevel.Warning)) Log.LogWarning("{Optimizer} reset predictor LMs. Restoring to original LMs.", optimizer.Name);
                    for (var j = 0; j < predictors.Count && j < lmsBefore.Count; j++) predictors[j].Lm = lmsBefore[j];
                }
            }
            catch (Exception e) when (e is BudgetExceededException || BudgetStop.IsExhausted)
            {
                // Graceful stop under a hard LM budget (invariant 3): not a failure; the best program so far is returned.
                Log.LogWarning("BetterTogether stopped by the LM budget at step {Step}/{Steps}.", i + 1, steps.Count);
                break;
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                failed = true;
                Log.LogError(e, "Step {Step}/{Steps} failed with error: {Type}: {Message}. Returning the best program found so far from {Count} candidate(s).",
                    i + 1, steps.Count, e.GetType().Name, e.Message, candidates.Count);
                progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget, $"step {i + 1} '{strategy}' failed: {e.Message}")
                    with { Trial = i + 1, TotalTrials = steps.Count + 1 });
                break;
            }
            var scoreTrial = await BudgetStop.RunTrialAsync(token => ScoreAsync(evaluator, program, valset, token), cancellationToken);
            if (!scoreTrial.Completed || BudgetStop.IsExhausted)
            {
                // The step or its validation was cut short by the budget: its program is not a complete candidate.
                Log.LogWarning("BetterTogether stopped by the LM budget at step {Step}/{Steps}.", i + 1, steps.Count);
                break;
            }
            var score = scoreTrial.Result;
            candidates.Add(new BetterTogetherCandidate(strategy, score, program.DeepCopy()));
            var best = candidates.Where(c => c.Score is not null).Select(c => c.Score!.Value).DefaultIfEmpty(double.NegativeInfinity).Max();
            progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget, $"'{strategy}' scored {Describe(score)}")
                with { Trial = i + 1, TotalTrials = steps.Count + 1, Score = score, BestScore = best });
            if (score is { } s && s >= best)
            {
                progress?.Report(CreateEvent(OptimizerEventKind.NewBest, usage.Budget, $"new best score {Describe(score)} (strategy '{strategy}')")
                    with { Trial = i + 1, TotalTrials = steps.Count + 1, Score = s, BestScore = s });
            }
        }

        // Best first; an earlier program wins a tie (DSPy sorts by (score, -index) descending).
        var sorted = candidates.Select((c, index) => (c, index))
            .OrderByDescending(x => x.c.Score ?? double.NegativeInfinity).ThenBy(x => x.index).Select(x => x.c).ToList();
        var chosen = valset is null ? candidates[^1] : sorted[0];
        var result = chosen.Program.DeepCopy();
        result.Compiled = true;
        var total = usage.Budget;
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, total,
            $"best strategy '{(chosen.Strategy.Length == 0 ? "original (no optimization)" : chosen.Strategy)}' scored {Describe(chosen.Score)}"
            + (failed ? "; a step failed" : "")) with { TotalTrials = steps.Count + 1, BestScore = chosen.Score });
        return new BetterTogetherResult(result, sorted, failed, total);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["metric"] = Metric.Name,
        ["optimizers"] = string.Join(", ", Optimizers.Select(kv => $"{kv.Key}={kv.Value.Name}")),
        ["strategy"] = Options.Strategy,
        ["seed"] = Options.Seed,
        ["valset_ratio"] = Options.ValsetRatio,
        ["shuffle_trainset_between_steps"] = Options.ShuffleTrainsetBetweenSteps,
    };

    private List<string> ParseStrategy(string strategy)
    {
        if (string.IsNullOrWhiteSpace(strategy)) throw new ArgumentException("strategy cannot be empty");
        var steps = strategy.Split(StrategySeparator).ToList();
        var invalid = steps.Where(s => !Optimizers.ContainsKey(s)).ToList();
        if (invalid.Count > 0)
        {
            throw new ArgumentException($"Strategy contains invalid optimizer keys: [{string.Join(", ", invalid.Select(PythonRepr.Repr))}]. "
                + $"Valid keys are: [{string.Join(", ", Optimizers.Keys.Select(PythonRepr.Repr))}]");
        }
        return steps;
    }

    private async Task<double?> ScoreAsync(IProgramEvaluator evaluator, Module program, IReadOnlyList<Example>? valset, CancellationToken cancellationToken)
    {
        if (valset is null || valset.Count == 0) return null;
        try
        {
            return (await ProgramScoring.EvaluateAsync(evaluator, program, valset, Metric, Options.NumThreads, Options.MaxErrors, "val", cancellationToken)).Score;
        }
        catch (Exception e) when (e is not BudgetExceededException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // DSPy's eval_candidate_program: a failed evaluation scores 0.
            Log.LogError(e, "An exception occurred during evaluation");
            return 0.0;
        }
    }

    private static string Describe(double? score) => score is { } s ? PythonFloat.Repr(s) + "%" : "(no valset)";
}
