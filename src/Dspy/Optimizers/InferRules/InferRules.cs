using System.Text;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>InferRules</c>: <see cref="BootstrapFewShot"/>, then natural-language rules induced by the LM from the
/// training examples and appended to each predictor's instructions.
/// <list type="number">
/// <item>Without a valset the trainset is split in half: the first <c>int(0.5 * n)</c> examples train, the rest validate.</item>
/// <item>The student is compiled with <see cref="BootstrapFewShot"/> on the training half.</item>
/// <item>For each of <see cref="InferRulesOptions.NumCandidates"/> candidates, every predictor of a copy of the compiled
/// program gets rules from <see cref="RulesInductionProgram"/> over the training examples (each written as
/// <c>Input Fields:</c> / <c>=========</c> / <c>Output Fields:</c> blocks of its signature's fields; when the prompt is too
/// long or the answer cannot be parsed, the last example is dropped and it tries again), appended to its original
/// instructions as <c>"\n\nPlease adhere to the following rules when making your prediction:\n{rules}"</c>.</item>
/// <item>Each candidate is scored on the valset through <see cref="CompileOptions.Evaluator"/>; a strictly higher score
/// replaces the best, so ties keep the earlier candidate.</item>
/// </list>
/// </summary>
public sealed class InferRules : Teleprompter
{
    /// <summary>The sentence that introduces the rules in the instructions.</summary>
    public const string RulesPreamble = "Please adhere to the following rules when making your prediction:";

    private static ILogger Log => DspyLogging.CreateLogger(typeof(InferRules));

    /// <summary>Creates the optimizer with DSPy's keyword arguments (the bootstrap ones through <paramref name="metric"/> and the demo counts).</summary>
    public InferRules(Metric metric, int numCandidates = 10, int numRules = 10, int? numThreads = null, Func<DspySettings, DspySettings>? teacherSettings = null,
        int maxBootstrappedDemos = 4, int maxLabeledDemos = 16, int maxRounds = 1, int? maxErrors = null, double? metricThreshold = null)
        : this(new InferRulesOptions
        {
            NumCandidates = numCandidates,
            NumRules = numRules,
            NumThreads = numThreads,
            TeacherSettings = teacherSettings,
            Bootstrap = new BootstrapFewShotOptions
            {
                Metric = metric,
                MetricThreshold = metricThreshold,
                TeacherSettings = teacherSettings,
                MaxBootstrappedDemos = maxBootstrappedDemos,
                MaxLabeledDemos = maxLabeledDemos,
                MaxRounds = maxRounds,
                MaxErrors = maxErrors,
                NumThreads = numThreads,
            },
        })
    {
    }

    /// <summary>Creates the optimizer from options.</summary>
    /// <exception cref="ArgumentException">The bootstrap options have no metric (candidates could not be scored).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1.</exception>
    public InferRules(InferRulesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Bootstrap, nameof(options));
        if (options.Bootstrap.Metric is null) throw new ArgumentException("InferRules needs a metric (Bootstrap.Metric) to score its candidates.", nameof(options));
        if (options.NumCandidates < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumCandidates must be at least 1.");
        if (options.NumRules < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumRules must be at least 1.");
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        _ = new BootstrapFewShot(options.Bootstrap);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public InferRulesOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await InferAsync(student, trainset, options, cancellationToken)).Program;

    /// <summary>Compiles like <see cref="CompileAsync"/> and returns every candidate and the budget too.</summary>
    /// <exception cref="ArgumentException">The trainset (or its training half) is empty.</exception>
    public async Task<InferRulesResult> InferAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        var progress = options?.Progress;
        IReadOnlyList<Example> train = trainset;
        var valset = options?.Valset;
        if (valset is null)
        {
            var trainSize = (int)(0.5 * trainset.Count);
            train = trainset.Take(trainSize).ToList();
            valset = trainset.Skip(trainSize).ToList();
        }
        if (train.Count == 0) throw new ArgumentException("InferRules needs training examples: the trainset (or its first half, when no valset is given) is empty.", nameof(trainset));

        using var usage = new OptimizerUsageScope();
        progress?.Report(CreateEvent(OptimizerEventKind.Started,
            message: $"{Options.NumCandidates} candidates, {train.Count} train / {valset.Count} val examples, {Options.NumRules} rules each")
            with { TotalTrials = Options.NumCandidates });

        var evaluator = ProgramScoring.EvaluatorOf(options);
        var bootstrapped = await new BootstrapFewShot(Options.Bootstrap).CompileAsync(student, train,
            new CompileOptions { Teacher = options?.Teacher, Evaluator = evaluator }, cancellationToken);
        var original = bootstrapped.DeepCopy();
        var instructions = original.Predictors().Select(p => p.Signature.Instructions).ToList();
        var induction = new RulesInductionProgram(Options.NumRules, Options.TeacherSettings, Options.Seed);

        var candidates = new List<InferRulesCandidate>();
        InferRulesCandidate? best = null;
        for (var index = 0; index < Options.NumCandidates; index++)
        {
            progress?.Report(CreateEvent(OptimizerEventKind.TrialStarted, usage.Budget, $"candidate {index + 1}")
                with { Trial = index, TotalTrials = Options.NumCandidates, BestScore = best?.Score });
            // Graceful stop under a hard LM budget (invariant 3): a candidate cut short by the budget is dropped and the best
            // completed one is returned.
            var trial = await BudgetStop.RunTrialAsync(async token =>
            {
                var candidate = original.DeepCopy();
                var predictors = candidate.Predictors();
                for (var i = 0; i < predictors.Count; i++)
                {
                    var rules = await InduceNaturalLanguageRulesAsync(induction, predictors[i], train, token);
                    predictors[i].Signature = predictors[i].Signature.WithInstructions($"{instructions[i]}\n\n{RulesPreamble}\n{rules}");
                }
                var result = await ProgramScoring.EvaluateAsync(evaluator, candidate, valset, Options.Bootstrap.Metric!, Options.NumThreads,
                    Options.Bootstrap.MaxErrors, "val", token);
                return (candidate, result);
            }, cancellationToken);
            if (!trial.Completed)
            {
                if (best is null) throw BudgetStop.Exhausted(trial.Exception);
                Log.LogWarning("InferRules stopped by the LM budget after {Count} candidates.", candidates.Count);
                break;
            }
            var (candidate, evaluation) = trial.Result;
            var scored = new InferRulesCandidate(index, evaluation.Score, candidate);
            candidates.Add(scored);
            var isBest = best is null || scored.Score > best.Score;
            if (isBest) best = scored;
            if (Log.IsEnabled(LogLevel.Information))
                Log.LogInformation("Evaluated Candidate {Candidate} with score {Score}. Current best score: {Best}", index + 1, scored.Score, best!.Score);
            var budget = usage.Budget;
            progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, budget, $"candidate {index + 1} scored {PythonFloat.Repr(scored.Score)}%")
                with { Trial = index, TotalTrials = Options.NumCandidates, Score = scored.Score, BestScore = best!.Score });
            if (isBest)
            {
                progress?.Report(CreateEvent(OptimizerEventKind.NewBest, budget, $"new best score {PythonFloat.Repr(scored.Score)}% (candidate {index + 1})")
                    with { Trial = index, TotalTrials = Options.NumCandidates, Score = scored.Score, BestScore = scored.Score });
            }
        }

        var total = usage.Budget;
        var winner = best!;
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, total, $"best score {PythonFloat.Repr(winner.Score)}% (candidate {winner.Index + 1})")
            with { TotalTrials = Options.NumCandidates, BestScore = winner.Score });
        return new InferRulesResult(winner.Program, winner.Score, candidates, total);
    }

    /// <summary>
    /// DSPy's <c>format_examples</c>: per example, <c>Input Fields:\n{k: v lines}\n\n=========\nOutput Fields:\n{k: v lines}\n\n</c>
    /// over the signature's fields, in the example's key order.
    /// </summary>
    public static string FormatExamples(IEnumerable<Example> demos, Signature signature)
    {
        ArgumentNullException.ThrowIfNull(demos);
        ArgumentNullException.ThrowIfNull(signature);
        var inputs = signature.InputFields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = signature.OutputFields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var demo in demos)
        {
            var inputText = string.Join("\n", demo.Items().Where(kv => inputs.Contains(kv.Key)).Select(kv => $"{kv.Key}: {PythonRepr.Str(kv.Value)}"));
            var outputText = string.Join("\n", demo.Items().Where(kv => outputs.Contains(kv.Key)).Select(kv => $"{kv.Key}: {PythonRepr.Str(kv.Value)}"));
            sb.Append("Input Fields:\n").Append(inputText).Append("\n\n=========\nOutput Fields:\n").Append(outputText).Append("\n\n");
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams()
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["num_candidates"] = (long)Options.NumCandidates,
            ["num_rules"] = (long)Options.NumRules,
            ["num_threads"] = Options.NumThreads is { } t ? (long)t : null,
            ["seed"] = Options.Seed,
        };
        foreach (var (key, value) in new BootstrapFewShot(Options.Bootstrap).GetParams()) result.TryAdd(key, value);
        return result;
    }

    private static async Task<string> InduceNaturalLanguageRulesAsync(RulesInductionProgram induction, Predict predictor, IReadOnlyList<Example> trainset,
        CancellationToken cancellationToken)
    {
        // DSPy's get_predictor_demos: the training examples restricted to this predictor's fields.
        var fields = predictor.Signature.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var demos = trainset.Select(e => new Example(e.Items().Where(kv => fields.Contains(kv.Key)))).ToList();
        while (true)
        {
            try
            {
                return await induction.InduceAsync(FormatExamples(demos, predictor.Signature), cancellationToken);
            }
            catch (Exception e) when (e is LMInvalidRequestError or AdapterParseError or ArgumentException)
            {
                // Too long a prompt (or an answer that did not parse): drop the last example and try again.
                if (demos.Count > 1)
                {
                    demos.RemoveAt(demos.Count - 1);
                    continue;
                }
                throw new InvalidOperationException(
                    "Failed to generate natural language rules since a single example couldn't fit in the model's context window.", e);
            }
        }
    }
}
