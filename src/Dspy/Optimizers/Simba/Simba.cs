using System.Globalization;

namespace Dspy;

/// <summary>
/// DSPy's <c>SIMBA</c> (Stochastic Introspective Mini-Batch Ascent). Each of <c>max_steps</c> steps takes the next
/// mini-batch of <c>bsize</c> training examples (the trainset shuffled once per pass) and:
/// <list type="number">
/// <item>runs every example <c>num_candidates</c> times, each time with an LM copy of its own (rollout id i, temperature 1.0)
/// and a program drawn by softmax (temperature <c>temperature_for_sampling</c>) over the best programs so far plus the
/// baseline;</item>
/// <item>sorts the examples' buckets of runs by (max - min score, max score, max - mean score), highest first;</item>
/// <item>for each bucket, until <c>num_candidates + 1</c> candidates exist: draws a source program by softmax
/// (<c>temperature_for_candidates</c>), drops some of its demos (a Poisson number), and applies <c>append_a_demo</c> (the
/// best run becomes a demo of each predictor) or <c>append_a_rule</c> (an LM contrasts the best and the worst run and writes
/// per-module advice into the instructions, <see cref="SimbaOfferFeedback"/>), chosen at random;</item>
/// <item>scores the new candidates on the same mini-batch; the best joins the winners, all join the pool.</item>
/// </list>
/// At the end up to <c>num_candidates + 1</c> evenly spaced winners are scored on the whole trainset and the best is
/// returned. Every run goes through <see cref="CompileOptions.Evaluator"/>.
/// </summary>
/// <remarks>
/// Random choices come from one <see cref="PythonRandom"/> seeded with <see cref="SimbaOptions.Seed"/>, drawn in DSPy's
/// order, in the main flow only; the Poisson draws (numpy's in DSPy) come from a second seeded stream. Runs and strategy
/// LM calls of a step execute concurrently and are applied in bucket/candidate order, so the result does not depend on
/// <see cref="SimbaOptions.NumThreads"/>. Under an <see cref="LMBudget"/> each step is a <see cref="BudgetStop"/> trial: an
/// incomplete step is dropped and the winners so far are compared (or, with no budget left for that, the last winner is
/// returned). DSPy's <c>program_code</c> input (the Python source of the program class) is
/// the program's predictors and signatures here.
/// </remarks>
public sealed partial class Simba : Teleprompter
{
    /// <summary>Creates SIMBA with DSPy's keyword arguments and defaults.</summary>
    public Simba(Metric metric, int bsize = 32, int numCandidates = 6, int maxSteps = 8, int maxDemos = 4, BaseLM? promptModel = null,
        int demoInputFieldMaxlen = 100_000, int? numThreads = null, double temperatureForSampling = 0.2, double temperatureForCandidates = 0.2)
        : this(new SimbaOptions
        {
            Metric = metric,
            Bsize = bsize,
            NumCandidates = numCandidates,
            MaxSteps = maxSteps,
            MaxDemos = maxDemos,
            PromptModel = promptModel,
            DemoInputFieldMaxlen = demoInputFieldMaxlen,
            NumThreads = numThreads,
            TemperatureForSampling = temperatureForSampling,
            TemperatureForCandidates = temperatureForCandidates,
        })
    {
    }

    /// <summary>Creates SIMBA from options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, count or temperature is out of range.</exception>
    public Simba(SimbaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Metric, nameof(options));
        if (options.Bsize < 1) throw new ArgumentOutOfRangeException(nameof(options), "Bsize must be at least 1.");
        if (options.NumCandidates < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumCandidates must be at least 1.");
        if (options.MaxSteps < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxSteps must not be negative.");
        if (options.MaxDemos < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxDemos must not be negative.");
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        if (!(options.TemperatureForSampling > 0) || !(options.TemperatureForCandidates > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The sampling temperatures must be positive.");
        }
        Options = options;
    }

    /// <inheritdoc/>
    public override string Name => "SIMBA";

    /// <summary>The settings.</summary>
    public SimbaOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await OptimizeAsync(student, trainset, options, cancellationToken)).Program;

    /// <summary>DSPy's <c>compile(student, *, trainset, seed=0)</c>, returning the candidates and step logs as well.</summary>
    /// <exception cref="ArgumentException">The trainset is smaller than <c>bsize</c>.</exception>
    public async Task<SimbaResult> OptimizeAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        if (trainset.Count < Options.Bsize) throw new ArgumentException($"Trainset too small: {trainset.Count} < {Options.Bsize}", nameof(trainset));
        var evaluator = ProgramScoring.EvaluatorOf(options);
        var progress = options?.Progress;
        using var usage = new OptimizerUsageScope();
        var rng = new PythonRandom(Options.Seed);
        var poisson = GepaRandom.Stream(Options.Seed, 0, 0, "poisson");
        var strategies = Options.MaxDemos > 0 ? new[] { "append_a_demo", "append_a_rule" } : ["append_a_rule"];
        progress?.Report(CreateEvent(OptimizerEventKind.Started, usage.Budget,
            $"{Options.MaxSteps} steps of {Options.Bsize} examples x {Options.NumCandidates} samples") with { TotalTrials = Options.MaxSteps });

        var pool = new SimbaPool(student.DeepCopy());
        var winners = new List<Module> { pool.Programs[0] };
        var dataIndices = Enumerable.Range(0, trainset.Count).ToList();
        rng.Shuffle(dataIndices);
        var instanceIdx = 0;
        var logs = new List<SimbaStepLog>();
        var baseLm = Settings.Current.Lm;
        var startRollout = baseLm?.Kwargs.TryGetValue("rollout_id", out var r) == true && r is IConvertible c ? c.ToInt32(CultureInfo.InvariantCulture) : 0;

        for (var step = 0; step < Options.MaxSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (instanceIdx + Options.Bsize > trainset.Count)
            {
                rng.Shuffle(dataIndices);
                instanceIdx = 0;
            }
            var batch = dataIndices.Skip(instanceIdx).Take(Options.Bsize).Select(i => trainset[i]).ToList();
            instanceIdx += Options.Bsize;

            if (BudgetStop.IsExhausted) break;
            var trial = await BudgetStop.RunTrialAsync(ct => RunStepAsync(evaluator, pool, batch, strategies, rng, poisson, startRollout, ct), cancellationToken);
            // A step the LM budget cut short is dropped; the remaining steps are skipped.
            if (!trial.Completed) break;
            var (candidates, applied, evaluations, candidateScores, baseline) = trial.Result;
            if (candidateScores.Count > 0) winners.Add(candidates[candidateScores.IndexOf(candidateScores.Max())].DeepCopy());
            for (var k = 0; k < candidates.Count; k++) pool.Register(candidates[k], evaluations[k].Scores);
            logs.Add(new SimbaStepLog(step, baseline, candidateScores, applied));
            progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget,
                $"step {step + 1}/{Options.MaxSteps}: baseline {PythonFloat.Repr(baseline)}, candidates {string.Join(", ", candidateScores.Select(PythonFloat.Repr))}")
                with { Trial = step, TotalTrials = Options.MaxSteps, Score = candidateScores.Count > 0 ? candidateScores.Max() : null });
        }

        // Final: evenly spaced winners on the full trainset.
        var last = winners.Count - 1;
        var n = Options.NumCandidates + 1;
        var picks = (last < 1 ? Enumerable.Repeat(0, n) : Enumerable.Range(0, n).Select(i => (int)Math.Round((double)i * last / (n - 1), MidpointRounding.ToEven)))
            .Distinct().ToList();
        var finals = picks.Select(i => winners[i].DeepCopy()).ToList();
        var final = await BudgetStop.RunTrialAsync(ct => Task.WhenAll(finals.Select(program => evaluator.EvaluateAsync(Request(program, trainset, "full"), ct))),
            cancellationToken);
        if (!final.Completed)
        {
            // No budget left to compare the winners on the trainset: the last step's winner (best on its batch) is returned.
            if (logs.Count == 0) throw BudgetStop.Exhausted(final.Exception);
            var lastScore = logs[^1].CandidateScores.Max();
            progress?.Report(CreateEvent(OptimizerEventKind.Finished, usage.Budget, "the LM budget ran out; returning the last step's winner") with { BestScore = lastScore });
            return new SimbaResult(winners[^1].DeepCopy(), lastScore, [(lastScore, winners[^1].DeepCopy())], logs, usage.Budget);
        }
        var finalEvaluations = final.Result!;
        var scores = finalEvaluations.Select(ev => ev.Results.Count == 0 ? 0.0 : ev.Results.Average(x => x.Score)).ToList();
        var bestIdx = scores.IndexOf(scores.Max());
        var ranked = scores.Select((s, i) => (Score: s, Program: finals[i])).OrderByDescending(x => x.Score).ToList();
        var best = finals[bestIdx].DeepCopy();
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, usage.Budget,
            $"final trainset scores {string.Join(", ", scores.Select(PythonFloat.Repr))}; best {PythonFloat.Repr(scores[bestIdx])} (at index {bestIdx})")
            with { BestScore = scores[bestIdx] });
        return new SimbaResult(best, scores[bestIdx], ranked, logs, usage.Budget);
    }

    // STEPS 1-6 of one SIMBA step: sample trajectories, bucket them, build candidates and score them on the batch.
    private async Task<(List<Module> Candidates, List<string> Applied, ProgramEvaluation[] Evaluations, List<double> Scores, double Baseline)> RunStepAsync(
        IProgramEvaluator evaluator, SimbaPool pool, List<Example> batch, string[] strategies, PythonRandom rng, PythonRandom poisson, int startRollout,
        CancellationToken ct)
    {
        // STEP 1-2: sample trajectories; program choices are drawn in DSPy's order (model, then example).
        var top = pool.TopKPlusBaseline(Options.NumCandidates);
        var choices = new int[Options.NumCandidates, batch.Count];
        for (var m = 0; m < Options.NumCandidates; m++)
        {
            for (var e = 0; e < batch.Count; e++) choices[m, e] = pool.SoftmaxSample(rng, top, Options.TemperatureForSampling);
        }
        var outputs = await SampleTrajectoriesAsync(evaluator, pool, batch, choices, startRollout, ct);

        // STEP 3: buckets by example, sorted by (max - min, max, max - mean), highest first.
        var allScores = outputs.Select(o => o.Score).ToList();
        var p10 = Percentile(allScores, 10);
        var p90 = Percentile(allScores, 90);
        var buckets = Enumerable.Range(0, batch.Count)
            .Select(e => Enumerable.Range(0, Options.NumCandidates).Select(m => outputs[(m * batch.Count) + e]).OrderByDescending(o => o.Score).ToList())
            .Select(b => (Bucket: b, Gap: b[0].Score - b[^1].Score, Max: b[0].Score, AvgGap: b[0].Score - b.Average(o => o.Score)))
            .OrderByDescending(b => b.Gap).ThenByDescending(b => b.Max).ThenByDescending(b => b.AvgGap)
            .Select(b => b.Bucket).ToList();
        var baseline = allScores.Average();

        // STEP 4: new candidates from the top buckets.
        var (candidates, applied) = await BuildCandidatesAsync(pool, buckets, strategies, rng, poisson, p10, p90, ct);

        // STEP 5-6: score them on the same batch (the caller adds the best to the winners and all to the pool).
        var evaluations = await Task.WhenAll(candidates.Select(program => evaluator.EvaluateAsync(Request(program, batch, "minibatch"), ct)));
        var candidateScores = evaluations.Select(ev => ev.Results.Average(x => x.Score)).ToList();
        return (candidates, applied, evaluations, candidateScores, baseline);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["metric"] = Options.Metric.Name,
        ["bsize"] = (long)Options.Bsize,
        ["num_candidates"] = (long)Options.NumCandidates,
        ["max_steps"] = (long)Options.MaxSteps,
        ["max_demos"] = (long)Options.MaxDemos,
        ["prompt_model"] = Options.PromptModel?.Model,
        ["demo_input_field_maxlen"] = (long)Options.DemoInputFieldMaxlen,
        ["num_threads"] = Options.NumThreads is { } t ? (long)t : null,
        ["temperature_for_sampling"] = Options.TemperatureForSampling,
        ["temperature_for_candidates"] = Options.TemperatureForCandidates,
        ["seed"] = (long)Options.Seed,
    };

    private ProgramEvaluationRequest Request(Module program, IReadOnlyList<Example> examples, string phase, IReadOnlyDictionary<string, object?>? lm = null) => new()
    {
        Program = program,
        Examples = examples,
        Metric = Options.Metric,
        CaptureTraces = true,
        LmOverrides = lm,
        NumThreads = Options.NumThreads,
        Phase = phase,
    };

    // One evaluation per (model, program) group; outputs come back in DSPy's order: model-major, then example.
    private async Task<SimbaRun[]> SampleTrajectoriesAsync(IProgramEvaluator evaluator, SimbaPool pool, List<Example> batch, int[,] choices,
        int startRollout, CancellationToken cancellationToken)
    {
        var groups = new List<(int Model, int Program, List<int> Examples)>();
        for (var m = 0; m < Options.NumCandidates; m++)
        {
            foreach (var program in Enumerable.Range(0, batch.Count).Select(e => choices[m, e]).Distinct().Order())
            {
                groups.Add((m, program, Enumerable.Range(0, batch.Count).Where(e => choices[m, e] == program).ToList()));
            }
        }
        var copies = groups.Select(g => pool.Programs[g.Program].DeepCopy()).ToList();
        var evaluations = await Task.WhenAll(groups.Select((g, k) => evaluator.EvaluateAsync(Request(copies[k], g.Examples.Select(e => batch[e]).ToList(), "trajectories",
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["rollout_id"] = (long)(startRollout + g.Model), ["temperature"] = 1.0 }), cancellationToken)));
        var outputs = new SimbaRun[Options.NumCandidates * batch.Count];
        for (var k = 0; k < groups.Count; k++)
        {
            var (m, _, examples) = groups[k];
            for (var j = 0; j < examples.Count; j++)
            {
                var result = evaluations[k].Results[j];
                outputs[(m * batch.Count) + examples[j]] = new SimbaRun(result.Example, result.Succeeded ? result.Prediction : null, result.Trace, result.Score,
                    Metadata(result.MetricValue));
            }
        }
        return outputs;
    }

    private static Dictionary<string, object?> Metadata(object? metricValue) =>
        metricValue is Prediction p
            ? p.Items().Where(kv => kv.Key != "score").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
            : new Dictionary<string, object?>(StringComparer.Ordinal);

    // numpy.percentile with linear interpolation.
    private static double Percentile(IReadOnlyList<double> values, double percent)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return 0;
        var rank = percent / 100 * (sorted.Count - 1);
        var lo = (int)Math.Floor(rank);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }
}
