using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>COPRO</c>: coordinate ascent over each predictor's instruction and the prefix of its last output field
/// (reference/dspy.md section 1.8).
/// <list type="number">
/// <item>For each predictor the prompt model proposes <c>breadth - 1</c> (instruction, prefix) pairs with
/// <c>BasicGenerateInstruction</c> (<c>n = breadth - 1</c>, <c>temperature = init_temperature</c>); the original pair is added.</item>
/// <item>For <c>depth</c> rounds, predictor by predictor: every candidate (the newest ones with one predictor, all so far
/// with several) is set into the working program and scored on the trainset; a repeated pair keeps its higher score. The
/// predictor is then fixed to its best pair (the first of equal bests).</item>
/// <item>Between rounds, the best pairs (up to <c>breadth</c>, listed in increasing score order as
/// <c>Instruction #i</c>/<c>Prefix #i</c>/<c>Resulting Score #i</c>) go to <c>GenerateInstructionGivenAttempts</c>
/// (<c>n = breadth</c>) for the next candidates.</item>
/// <item>The result is the highest-scoring evaluated program; equal-scored duplicates are dropped from the candidate list.</item>
/// </list>
/// Every evaluation goes through <see cref="CompileOptions.Evaluator"/>. <see cref="COPROOptions.ProposerExamples"/> (opt-in,
/// not DSPy 3.3) also shows the first proposals some training examples, for a prompt model that does not know the task.
/// </summary>
public sealed class COPRO : Teleprompter
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(COPRO));

    /// <summary>Creates the optimizer with DSPy's keyword arguments and defaults.</summary>
    /// <exception cref="ArgumentException"><paramref name="breadth"/> is 1 or less.</exception>
    public COPRO(BaseLM? promptModel = null, Metric? metric = null, int breadth = 10, int depth = 3, double initTemperature = 1.4, bool trackStats = false)
        : this(new COPROOptions { PromptModel = promptModel, Metric = metric, Breadth = breadth, Depth = depth, InitTemperature = initTemperature, TrackStats = trackStats })
    {
    }

    /// <summary>Creates the optimizer from options.</summary>
    /// <exception cref="ArgumentException"><see cref="COPROOptions.Breadth"/> is 1 or less.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Depth, threads, errors or parallelism below 1, or negative proposer examples.</exception>
    public COPRO(COPROOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Breadth <= 1) throw new ArgumentException("Breadth must be greater than 1", nameof(options));
        if (options.Depth < 1) throw new ArgumentOutOfRangeException(nameof(options), "Depth must be at least 1.");
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        if (options.MaxErrors is < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxErrors must be at least 1.");
        if (options.CandidateParallelism < 1) throw new ArgumentOutOfRangeException(nameof(options), "CandidateParallelism must be at least 1.");
        if (options.ProposerExamples < 0) throw new ArgumentOutOfRangeException(nameof(options), "ProposerExamples must not be negative.");
        Options = options;
    }

    /// <summary>The settings.</summary>
    public COPROOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await OptimizeAsync(student, trainset, options, cancellationToken)).Program;

    /// <summary>DSPy's <c>compile(student, *, trainset, eval_kwargs=None)</c>, returning DSPy's attributes as well.</summary>
    /// <exception cref="InvalidOperationException">No metric, or no prompt model given or configured.</exception>
    /// <exception cref="ArgumentException">The trainset is empty.</exception>
    public async Task<COPROResult> OptimizeAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        var metric = Options.Metric ?? throw new InvalidOperationException("COPRO needs a metric to score the candidates.");
        if (trainset.Count == 0) throw new ArgumentException("Trainset cannot be empty.", nameof(trainset));
        var promptModel = Options.PromptModel ?? Settings.Current.Lm
            ?? throw new InvalidOperationException("No LM is loaded: pass a prompt model or configure an LM.");
        var evaluator = ProgramScoring.EvaluatorOf(options);
        var progress = options?.Progress;
        var breadth = Options.Breadth;
        using var usage = new OptimizerUsageScope();

        var module = student.DeepCopy();
        var predictorCount = module.Predictors().Count;
        var resultsBest = Enumerable.Range(0, predictorCount).Select(_ => new COPROStats()).ToList();
        var resultsLatest = Enumerable.Range(0, predictorCount).Select(_ => new COPROStats()).ToList();
        progress?.Report(CreateEvent(OptimizerEventKind.Started, message: $"{predictorCount} predictors, breadth {breadth}, depth {Options.Depth}, {trainset.Count} examples")
            with { TotalTrials = Options.Depth });

        // Raw (instruction, prefix) proposals per predictor: the newest ones and all so far.
        var latest = new List<List<(string Instruction, string Prefix)>>();
        var all = new List<List<(string Instruction, string Prefix)>>();
        // Opt-in, not DSPy 3.3 (COPROOptions.ProposerExamples): the first proposals also see a seeded draw of training examples.
        var shown = Options.ProposerExamples > 0
            ? new PythonRandom(Options.Seed).Sample(trainset, Math.Min(Options.ProposerExamples, trainset.Count))
            : null;
        foreach (var predictor in module.Predictors())
        {
            var signature = predictor.Signature;
            var proposals = shown is null
                ? await ProposeAsync(promptModel, CoproSignatures.BasicGenerateInstruction, breadth - 1, cancellationToken,
                    ("basic_instruction", signature.Instructions))
                : await ProposeAsync(promptModel, CoproSignatures.BasicGenerateInstructionWithExamples, breadth - 1, cancellationToken,
                    ("basic_instruction", signature.Instructions),
                    ("examples", string.Join("\n\n", shown.Select(e => GroundedProposer.ExampleString(signature, e)))));
            proposals.Add((signature.Instructions, signature.Fields[^1].Prefix));
            latest.Add(proposals);
            all.Add([.. proposals]);
        }

        // evaluated_candidates: per predictor, (instruction, prefix) -> best entry, in first-insertion order.
        var evaluated = Enumerable.Range(0, predictorCount).Select(_ => new List<COPROCandidate>()).ToList();
        var moduleClone = module.DeepCopy();
        var totalCalls = 0;
        var lastDepth = 0;
        var stoppedByBudget = false;
        for (var d = 0; d < Options.Depth; d++)
        {
            lastDepth = d;
            var latestScores = new List<double>();
            for (var pI = 0; pI < predictorCount; pI++)
            {
                var candidates = predictorCount > 1 ? all[pI] : latest[pI];
                if (stoppedByBudget) break;
                for (var start = 0; start < candidates.Count && !stoppedByBudget; start += Options.CandidateParallelism)
                {
                    var batch = Enumerable.Range(start, Math.Min(Options.CandidateParallelism, candidates.Count - start)).ToList();
                    var programs = batch.Select(cI => WithCandidate(moduleClone, pI, Clean(candidates[cI].Instruction), Clean(candidates[cI].Prefix))).ToList();
                    var trials = await Task.WhenAll(programs.Select(p =>
                        BudgetStop.RunTrialAsync(ct => EvaluateAsync(evaluator, p, trainset, metric, ct), cancellationToken)));
                    for (var j = 0; j < batch.Count && !stoppedByBudget; j++)
                    {
                        // Graceful stop (invariant 3): a candidate the budget cut short is dropped with every later one.
                        if (!trials[j].Completed)
                        {
                            if (evaluated.All(e => e.Count == 0)) throw BudgetStop.Exhausted(trials[j].Exception);
                            stoppedByBudget = true;
                            Log.LogWarning("COPRO stopped by the LM budget after {Calls} evaluations.", totalCalls);
                            break;
                        }
                        var cI = batch[j];
                        var (instruction, prefix) = (Clean(candidates[cI].Instruction), Clean(candidates[cI].Prefix));
                        totalCalls++;
                        var index = evaluated[pI].FindIndex(c => c.Instruction == instruction && c.Prefix == prefix);
                        var entry = new COPROCandidate(trials[j].Result, programs[j], instruction, prefix, d, pI);
                        if (index < 0) evaluated[pI].Add(entry);
                        else if (evaluated[pI][index].Score < trials[j].Result) evaluated[pI][index] = entry;
                        if (candidates.Count - breadth <= cI) latestScores.Add(trials[j].Result);
                        progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget,
                            $"depth {d + 1}/{Options.Depth}, predictor {pI + 1}/{predictorCount}, candidate {cI + 1}/{candidates.Count}: {trials[j].Result}")
                            with { Trial = totalCalls, Score = trials[j].Result, BestScore = evaluated.SelectMany(e => e).Max(c => c.Score) });
                    }
                }
                if (Options.TrackStats && latestScores.Count > 0) resultsLatest[pI].Add(d, latestScores);

                if (evaluated[pI].Count == 0) break;
                // Python's max() keeps the first of equal maxima, in insertion order.
                var best = evaluated[pI].Aggregate((a, b) => b.Score > a.Score ? b : a);
                SetCandidate(moduleClone, pI, best.Instruction, best.Prefix);
                if (Log.IsEnabled(LogLevel.Debug)) Log.LogDebug("Updating predictor {Predictor} to: i: {Instruction} p: {Prefix}", pI, best.Instruction, best.Prefix);
            }
            if (d == Options.Depth - 1 || stoppedByBudget) break;

            for (var pI = 0; pI < predictorCount; pI++)
            {
                var ranked = evaluated[pI].OrderByDescending(c => c.Score).ToList();
                var shortest = Math.Min(evaluated[pI].Count, breadth);
                if (Options.TrackStats) resultsBest[pI].Add(d, ranked.Take(10).Select(c => c.Score).ToList());
                var attempts = new List<string>();
                for (var i = shortest - 1; i >= 0; i--)
                {
                    attempts.Add($"Instruction #{shortest - i}: {ranked[i].Instruction}");
                    attempts.Add($"Prefix #{shortest - i}: {ranked[i].Prefix}");
                    attempts.Add($"Resulting Score #{shortest - i}: {PythonFloat.Repr(ranked[i].Score)}");
                }
                List<(string Instruction, string Prefix)> proposals;
                try
                {
                    proposals = await ProposeAsync(promptModel, CoproSignatures.GenerateInstructionGivenAttempts, breadth, cancellationToken,
                        ("attempted_instructions", attempts));
                }
                catch (BudgetExceededException)
                {
                    // The budget refused the proposal: stop with the candidates evaluated so far.
                    stoppedByBudget = true;
                    Log.LogWarning("COPRO stopped by the LM budget after {Calls} evaluations.", totalCalls);
                    break;
                }
                latest[pI] = proposals;
                all[pI].AddRange(proposals);
            }
        }

        var final = new List<COPROCandidate>();
        for (var pI = 0; pI < predictorCount; pI++)
        {
            final.AddRange(evaluated[pI]);
            if (Options.TrackStats && evaluated[pI].Count > 0) resultsBest[pI].Add(lastDepth, evaluated[pI].OrderByDescending(c => c.Score).Take(10).Select(c => c.Score).ToList());
        }
        var sorted = DropDuplicates(final.OrderByDescending(c => c.Score).ToList());
        var budget = usage.Budget;
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, budget, $"best score {sorted[0].Score} after {totalCalls} evaluations")
            with { TotalTrials = Options.Depth, BestScore = sorted[0].Score });
        return new COPROResult
        {
            Program = sorted[0].Program,
            CandidatePrograms = sorted,
            TotalCalls = totalCalls,
            StoppedByBudget = stoppedByBudget,
            ResultsBest = Options.TrackStats ? resultsBest : null,
            ResultsLatest = Options.TrackStats ? resultsLatest : null,
            Budget = budget,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["prompt_model"] = Options.PromptModel?.Model,
        ["metric"] = Options.Metric?.Name,
        ["breadth"] = (long)Options.Breadth,
        ["depth"] = (long)Options.Depth,
        ["init_temperature"] = Options.InitTemperature,
        ["track_stats"] = Options.TrackStats,
        ["candidate_parallelism"] = (long)Options.CandidateParallelism,
        ["proposer_examples"] = (long)Options.ProposerExamples,
        ["seed"] = (long)Options.Seed,
    };

    // n completions of a proposal signature under the prompt model; each row gives (instruction, prefix).
    private async Task<List<(string Instruction, string Prefix)>> ProposeAsync(BaseLM promptModel, Signature signature, int n,
        CancellationToken cancellationToken, params (string Name, object? Value)[] inputs)
    {
        using var _ = Settings.Context(s => s with { Lm = promptModel });
        var config = new Dictionary<string, object?>(StringComparer.Ordinal) { ["n"] = (long)n, ["temperature"] = Options.InitTemperature };
        var prediction = await new Predict(signature, config).CallAsync(GroundedProposer.Inputs(inputs), cancellationToken);
        var rows = prediction.Completions?.Rows ?? [prediction.ToDictionary()];
        return rows.Select(r => (PythonRepr.Str(r.GetValueOrDefault("proposed_instruction") ?? ""),
            PythonRepr.Str(r.GetValueOrDefault("proposed_prefix_for_output_field") ?? ""))).ToList();
    }

    private async Task<double> EvaluateAsync(IProgramEvaluator evaluator, Module program, IReadOnlyList<Example> trainset, Metric metric,
        CancellationToken cancellationToken)
    {
        var evaluation = await evaluator.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = program,
            Examples = trainset,
            Metric = metric,
            NumThreads = Options.NumThreads,
            MaxErrors = Options.MaxErrors,
            Phase = "full",
        }, cancellationToken);
        return evaluation.Score;
    }

    // Python's c.strip('"').strip().
    private static string Clean(string text) => text.Trim('"').Trim();

    private static Module WithCandidate(Module program, int predictorIndex, string instruction, string prefix)
    {
        var copy = program.DeepCopy();
        SetCandidate(copy, predictorIndex, instruction, prefix);
        return copy;
    }

    private static void SetCandidate(Module program, int predictorIndex, string instruction, string prefix)
    {
        var predictor = program.Predictors()[predictorIndex];
        var signature = predictor.Signature;
        predictor.Signature = signature.WithInstructions(instruction).WithUpdatedField(signature.Fields[^1].Name, prefix: prefix);
    }

    // DSPy's _drop_duplicates: among consecutive equal scores, a program equal to an earlier one (same instructions and
    // last fields in every predictor) is dropped.
    private static List<COPROCandidate> DropDuplicates(List<COPROCandidate> candidates)
    {
        var final = new List<COPROCandidate>();
        var lastBatch = new List<COPROCandidate>();
        var lastScore = -1.0;
        foreach (var c in candidates)
        {
            var repeat = false;
            if (c.Score == lastScore)
            {
                repeat = lastBatch.Any(other => SamePrompts(c.Program, other.Program));
                if (!repeat) lastBatch.Add(c);
            }
            else
            {
                lastBatch = [c];
                lastScore = c.Score;
            }
            if (!repeat) final.Add(c);
        }
        return final;
    }

    private static bool SamePrompts(Module a, Module b) => a.Predictors().Zip(b.Predictors()).All(p =>
        p.First.Signature.Instructions == p.Second.Signature.Instructions && p.First.Signature.Fields[^1] == p.Second.Signature.Fields[^1]);
}
