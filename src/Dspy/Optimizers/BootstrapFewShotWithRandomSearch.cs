using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>BootstrapFewShotWithRandomSearch</c> (alias <c>dspy.BootstrapRS</c>; in C# write
/// <c>using BootstrapRS = Dspy.BootstrapFewShotWithRandomSearch;</c>): random search over bootstrapped demo sets.
/// <list type="number">
/// <item>Candidates have seeds <c>-3 .. NumCandidatePrograms - 1</c> (19 programs by default): -3 is the zero-shot reset copy
/// of the student, -2 <see cref="LabeledFewShot"/> with <c>k = MaxLabeledDemos</c>, -1 <see cref="BootstrapFewShot"/> on
/// the trainset as given, and each seed s &gt;= 0 shuffles a copy of the trainset with <c>random.Random(s)</c> and
/// bootstraps <c>random.Random(s).randint(1, MaxBootstrappedDemos)</c> demos from it (two fresh generators with the same
/// seed, as DSPy does; <see cref="PythonRandom"/> reproduces CPython's numbers).</item>
/// <item>Each candidate is scored through <see cref="CompileOptions.Evaluator"/> on the valset (default: the trainset); the
/// score is Evaluate's percentage. A candidate becomes the best only with a strictly higher score than every earlier one, so ties
/// keep the earlier seed.</item>
/// <item>With <see cref="BootstrapFewShotWithRandomSearchOptions.StopAtScore"/>, the search stops after the first candidate
/// scoring at least that.</item>
/// </list>
/// The best program is returned; <see cref="SearchAsync"/> also returns every candidate sorted by score, highest first.
/// </summary>
/// <remarks>
/// Parallelism (DESIGN invariant 4): candidates run in batches of
/// <see cref="BootstrapFewShotWithRandomSearchOptions.CandidateParallelism"/> consecutive seeds, concurrently, each with its
/// own copies of the student and teacher; a batch's results are then applied in seed order with DSPy's sequential rules
/// (best, events, early stop). The default of 1 is DSPy's sequential search. Inside a candidate, bootstrapping and
/// evaluation use <see cref="BootstrapFewShotWithRandomSearchOptions.NumThreads"/> threads without changing their results.
/// Under an <see cref="LMBudget"/>, each candidate is a trial of <see cref="BudgetStop"/>: the search stops at the first
/// candidate that ran out of budget and returns the best completed one.
/// </remarks>
public sealed class BootstrapFewShotWithRandomSearch : Teleprompter
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(BootstrapFewShotWithRandomSearch));

    /// <summary>Creates the optimizer with DSPy's keyword arguments and defaults.</summary>
    public BootstrapFewShotWithRandomSearch(Metric metric, Func<DspySettings, DspySettings>? teacherSettings = null, int maxBootstrappedDemos = 4,
        int maxLabeledDemos = 16, int maxRounds = 1, int numCandidatePrograms = 16, int? numThreads = null, int? maxErrors = null,
        double? stopAtScore = null, double? metricThreshold = null)
        : this(new BootstrapFewShotWithRandomSearchOptions
        {
            Metric = metric,
            TeacherSettings = teacherSettings,
            MaxBootstrappedDemos = maxBootstrappedDemos,
            MaxLabeledDemos = maxLabeledDemos,
            MaxRounds = maxRounds,
            NumCandidatePrograms = numCandidatePrograms,
            NumThreads = numThreads,
            MaxErrors = maxErrors,
            StopAtScore = stopAtScore,
            MetricThreshold = metricThreshold,
        })
    {
    }

    /// <summary>Creates the optimizer from options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or a thread or error limit is below 1.</exception>
    public BootstrapFewShotWithRandomSearch(BootstrapFewShotWithRandomSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Metric, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBootstrappedDemos, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxLabeledDemos, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRounds, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.NumCandidatePrograms, nameof(options));
        if (options.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(options), "NumThreads must be at least 1.");
        if (options.MaxErrors is < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxErrors must be at least 1.");
        if (options.CandidateParallelism < 1) throw new ArgumentOutOfRangeException(nameof(options), "CandidateParallelism must be at least 1.");
        Options = options;
    }

    /// <summary>The settings.</summary>
    public BootstrapFewShotWithRandomSearchOptions Options { get; }

    /// <inheritdoc/>
    public override async Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        CancellationToken cancellationToken = default) =>
        (await SearchAsync(student, trainset, options, cancellationToken: cancellationToken)).Program;

    /// <summary>
    /// DSPy's <c>compile(student, *, teacher=None, trainset, valset=None, restrict=None, labeled_sample=True)</c>, returning
    /// the candidates and the budget as well as the best program.
    /// </summary>
    /// <param name="student">The program to optimize; not changed.</param>
    /// <param name="trainset">Examples to bootstrap and sample demos from.</param>
    /// <param name="options">Teacher, valset (null or empty means the trainset, as DSPy's <c>valset or trainset</c>) and progress.</param>
    /// <param name="restrict">When set, only the candidates with these seeds are tried.</param>
    /// <param name="labeledSample">Whether the labeled-only candidate samples its demos (else it takes the first k).</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="InvalidOperationException">No candidate was tried (<paramref name="restrict"/> excludes them all).</exception>
    /// <exception cref="ArgumentException">A seed &gt;= 0 is tried with <c>MaxBootstrappedDemos = 0</c> (Python's empty <c>randint</c> range).</exception>
    public async Task<BootstrapFewShotWithRandomSearchResult> SearchAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
        IReadOnlySet<int>? restrict = null, bool labeledSample = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        var progress = options?.Progress;
        var valset = options?.Valset is { Count: > 0 } v ? v : trainset;
        var seeds = Enumerable.Range(-3, Options.NumCandidatePrograms + 3).Where(s => restrict is null || restrict.Contains(s)).ToList();
        if (seeds.Count == 0) throw new InvalidOperationException("No candidate program to try: restrict excludes every seed.");
        if (Options.MaxBootstrappedDemos < 1 && seeds.Any(s => s >= 0))
        {
            throw new ArgumentException($"empty range in randint(1, {Options.MaxBootstrappedDemos}): seeds >= 0 need MaxBootstrappedDemos >= 1.");
        }

        var settings = Settings.Current;
        var maxErrors = Options.MaxErrors ?? settings.MaxErrors;
        var numThreads = Options.NumThreads ?? settings.NumThreads;

        using var usage = new OptimizerUsageScope();
        progress?.Report(CreateEvent(OptimizerEventKind.Started,
            message: $"{seeds.Count} candidate programs, {trainset.Count} train / {valset.Count} val examples, 1 to {Options.MaxBootstrappedDemos} bootstrapped demos")
            with { TotalTrials = seeds.Count });

        var candidates = new List<RandomSearchCandidate>();
        RandomSearchCandidate? best = null;
        var stopped = false;
        var stoppedByBudget = false;
        var evaluator = ProgramScoring.EvaluatorOf(options);
        if (valset.Count == 0) throw new ArgumentException("The devset is empty; there is nothing to evaluate.");
        for (var start = 0; start < seeds.Count && !stopped && !stoppedByBudget; start += Options.CandidateParallelism)
        {
            var batch = seeds.Skip(start).Take(Options.CandidateParallelism).ToList();
            // Copies are made here, one at a time, so no candidate reads the student or teacher while another copies it.
            var students = batch.Select(_ => student.DeepCopy()).ToArray();
            var teachers = batch.Select(_ => options?.Teacher?.DeepCopy()).ToArray();
            for (var j = 0; j < batch.Count; j++)
            {
                progress?.Report(CreateEvent(OptimizerEventKind.TrialStarted, usage.Budget, $"candidate {Describe(batch[j])}")
                    with { Trial = batch[j], TotalTrials = seeds.Count, BestScore = best?.Score });
            }

            var results = new BudgetTrial<RandomSearchCandidate>[batch.Count];
            var errors = new Exception?[batch.Count];
            await ParallelRunner.RunAsync(batch.Count, Options.CandidateParallelism, int.MaxValue,
                (j, token) => BudgetStop.RunTrialAsync(
                    t => RunCandidateAsync(batch[j], students[j], teachers[j], trainset, valset, labeledSample, numThreads, maxErrors, evaluator, t), token),
                (j, candidate) => results[j] = candidate,
                (j, ex) => errors[j] = ex,
                cancellationToken);

            for (var j = 0; j < batch.Count; j++)
            {
                // DSPy's loop would have raised here, before any later candidate ran.
                if (errors[j] is { } error) ExceptionDispatchInfo.Capture(error).Throw();
                if (!results[j].Completed)
                {
                    // Graceful stop (invariant 3): this candidate ran out of budget; the best completed one wins.
                    if (best is null) throw BudgetStop.Exhausted(results[j].Exception);
                    Log.LogWarning("Random search stopped by the LM budget after {Count} candidates.", candidates.Count);
                    stoppedByBudget = true;
                    break;
                }
                var candidate = results[j].Result!;
                candidates.Add(candidate);
                var isBest = best is null || candidate.Score > best.Score;
                if (isBest) best = candidate;
                var budget = usage.Budget;
                progress?.Report(CreateEvent(OptimizerEventKind.TrialFinished, budget, $"candidate {Describe(candidate.Seed)} scored {Format(candidate.Score)}")
                    with { Trial = candidate.Seed, TotalTrials = seeds.Count, Score = candidate.Score, BestScore = best!.Score });
                if (isBest)
                {
                    if (Log.IsEnabled(LogLevel.Information)) Log.LogInformation("New best score: {Score} for seed {Seed}", candidate.Score, candidate.Seed);
                    progress?.Report(CreateEvent(OptimizerEventKind.NewBest, budget, $"new best score {Format(candidate.Score)} for seed {candidate.Seed}")
                        with { Trial = candidate.Seed, TotalTrials = seeds.Count, Score = candidate.Score, BestScore = candidate.Score });
                }
                if (Options.StopAtScore is { } stopAt && candidate.Score >= stopAt)
                {
                    if (Log.IsEnabled(LogLevel.Information)) Log.LogInformation("Stopping early because score {Score} is >= stop_at_score {StopAtScore}", candidate.Score, stopAt);
                    stopped = true;
                    break;
                }
            }
        }

        // Python's sorted(..., reverse=True) is stable: equal scores keep seed order, as OrderByDescending does.
        var sorted = candidates.OrderByDescending(c => c.Score).ToList();
        var winner = best!;
        var total = usage.Budget;
        progress?.Report(CreateEvent(OptimizerEventKind.Finished, total,
            $"{candidates.Count} candidate programs tried; best score {Format(winner.Score)} (seed {winner.Seed}){(stoppedByBudget ? ", stopped by the LM budget" : stopped ? ", stopped early" : "")}")
            with { TotalTrials = seeds.Count, BestScore = winner.Score });
        return new BootstrapFewShotWithRandomSearchResult(winner.Program, winner.Score, winner.Seed, sorted, stopped, total);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object?> GetParams() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["metric"] = Options.Metric.Name,
        ["metric_threshold"] = Options.MetricThreshold,
        ["max_bootstrapped_demos"] = (long)Options.MaxBootstrappedDemos,
        ["max_labeled_demos"] = (long)Options.MaxLabeledDemos,
        ["max_rounds"] = (long)Options.MaxRounds,
        ["num_candidate_programs"] = (long)Options.NumCandidatePrograms,
        ["num_threads"] = Options.NumThreads is { } t ? (long)t : null,
        ["max_errors"] = Options.MaxErrors is { } e ? (long)e : null,
        ["stop_at_score"] = Options.StopAtScore,
        ["candidate_parallelism"] = (long)Options.CandidateParallelism,
    };

    // Builds and scores one candidate; runs in a worker flow of its own.
    private async Task<RandomSearchCandidate> RunCandidateAsync(int seed, Module student, Module? teacher, IReadOnlyList<Example> trainset,
        IReadOnlyList<Example> valset, bool labeledSample, int numThreads, int maxErrors, IProgramEvaluator evaluator, CancellationToken cancellationToken)
    {
        var trainsetCopy = trainset.ToList();
        Module program;
        switch (seed)
        {
            case -3:
                program = student.ResetCopy();
                break;
            case -2:
                program = new LabeledFewShot(Options.MaxLabeledDemos).Compile(student, trainsetCopy, labeledSample);
                break;
            default:
                var size = Options.MaxBootstrappedDemos;
                if (seed >= 0)
                {
                    new PythonRandom(seed).Shuffle(trainsetCopy);
                    size = new PythonRandom(seed).RandInt(1, Options.MaxBootstrappedDemos);
                }
                var bootstrap = new BootstrapFewShot(new BootstrapFewShotOptions
                {
                    Metric = Options.Metric,
                    MetricThreshold = Options.MetricThreshold,
                    TeacherSettings = Options.TeacherSettings,
                    MaxBootstrappedDemos = size,
                    MaxLabeledDemos = Options.MaxLabeledDemos,
                    MaxRounds = Options.MaxRounds,
                    MaxErrors = maxErrors,
                    NumThreads = numThreads,
                });
                program = await bootstrap.CompileAsync(student, trainsetCopy, new CompileOptions { Teacher = teacher, Evaluator = evaluator }, cancellationToken);
                break;
        }

        var result = await evaluator.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = program,
            Examples = valset,
            Metric = Options.Metric,
            NumThreads = numThreads,
            MaxErrors = maxErrors,
            Phase = "full",
        }, cancellationToken);
        return new RandomSearchCandidate(seed, result.Score, result.Scores, program);
    }

    private static string Describe(int seed) => seed switch
    {
        -3 => "-3 (zero-shot)",
        -2 => "-2 (labeled demos)",
        -1 => "-1 (unshuffled bootstrap)",
        _ => seed.ToString(CultureInfo.InvariantCulture),
    };

    private static string Format(double score) => PythonFloat.Repr(score) + "%";
}
