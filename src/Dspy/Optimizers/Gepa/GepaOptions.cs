namespace Dspy;

/// <summary>
/// Proposes new instructions from a reflective dataset (DSPy's <c>instruction_proposer</c>, GEPA's <c>ProposalFn</c>):
/// given the candidate (predictor name to instruction), the records per predictor and the predictors to update, returns
/// the new instruction of each of them.
/// </summary>
public delegate Task<IReadOnlyDictionary<string, string>> GepaInstructionProposer(IReadOnlyDictionary<string, string> candidate,
    IReadOnlyDictionary<string, IReadOnlyList<GepaReflectiveRecord>> reflectiveDataset, IReadOnlyList<string> componentsToUpdate,
    CancellationToken cancellationToken);

/// <summary>
/// The settings of <see cref="Gepa"/>, with DSPy's names and defaults (<c>GEPA(metric, *, auto=None, max_full_evals=None,
/// max_metric_calls=None, reflection_minibatch_size=3, candidate_selection_strategy="pareto", reflection_lm=None,
/// skip_perfect_score=True, add_format_failure_as_feedback=False, instruction_proposer=None, component_selector="round_robin",
/// use_merge=True, max_merge_invocations=5, num_threads=None, failure_score=0.0, perfect_score=1.0, track_stats=False,
/// track_best_outputs=False, seed=0)</c>) plus <see cref="ProposalParallelism"/>.
/// </summary>
public sealed record GepaOptions
{
    /// <summary>
    /// The metric. It may return a <see cref="ScoreWithFeedback"/>; a <see cref="FeedbackMetric"/> also receives the
    /// predictor name and trace when GEPA asks for per-predictor feedback.
    /// </summary>
    public required Metric Metric { get; init; }

    /// <summary><c>auto</c>: size the budget for 6, 12 or 18 candidates. Exactly one of this, <see cref="MaxFullEvals"/> and <see cref="MaxMetricCalls"/>.</summary>
    public GepaAuto? Auto { get; init; }

    /// <summary><c>max_full_evals</c>: the budget is this many times <c>|train| + |val|</c> metric calls.</summary>
    public int? MaxFullEvals { get; init; }

    /// <summary><c>max_metric_calls</c>: the budget in metric calls (one per example evaluated).</summary>
    public long? MaxMetricCalls { get; init; }

    /// <summary>Training examples per reflective minibatch.</summary>
    public int ReflectionMinibatchSize { get; init; } = 3;

    /// <summary>How parents are picked.</summary>
    public GepaCandidateSelection CandidateSelectionStrategy { get; init; } = GepaCandidateSelection.Pareto;

    /// <summary>The LM that writes new instructions; required unless <see cref="InstructionProposer"/> is set.</summary>
    public BaseLM? ReflectionLm { get; init; }

    /// <summary>Skip a mutation when the parent already scores <see cref="PerfectScore"/> on every minibatch example.</summary>
    public bool SkipPerfectScore { get; init; } = true;

    /// <summary>Show outputs that failed to parse to the reflection LM, with the expected structure as feedback.</summary>
    public bool AddFormatFailureAsFeedback { get; init; }

    /// <summary>A custom proposer used instead of the reflection LM prompt.</summary>
    public GepaInstructionProposer? InstructionProposer { get; init; }

    /// <summary>Which predictors each mutation rewrites.</summary>
    public GepaComponentSelection ComponentSelector { get; init; } = GepaComponentSelection.RoundRobin;

    /// <summary>Try merging two Pareto programs that share an ancestor after a mutation is accepted.</summary>
    public bool UseMerge { get; init; } = true;

    /// <summary>The most merges tested.</summary>
    public int MaxMergeInvocations { get; init; } = 5;

    /// <summary>Examples evaluated at once; null means <see cref="DspySettings.NumThreads"/>. Results never depend on it.</summary>
    public int? NumThreads { get; init; }

    /// <summary>The score of an example whose program failed.</summary>
    public double FailureScore { get; init; }

    /// <summary>The score that counts as perfect for <see cref="SkipPerfectScore"/>.</summary>
    public double PerfectScore { get; init; } = 1.0;

    /// <summary>Attach <see cref="GepaDetailedResults"/> to the result.</summary>
    public bool TrackStats { get; init; }

    /// <summary>Keep, per validation example, the outputs of the programs best on it (needs <see cref="TrackStats"/>).</summary>
    public bool TrackBestOutputs { get; init; }

    /// <summary>The seed of every random choice (parent selection, minibatches, merges).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Reflective proposals per round (not a DSPy parameter; DESIGN invariant 4's K). A round picks K parents from the same
    /// Pareto state, each with its own random stream from (seed, round, slot), runs the K proposals concurrently, then
    /// applies acceptance and front updates in slot order. 1, the default, is DSPy's sequential engine.
    /// </summary>
    public int ProposalParallelism { get; init; } = 1;

    /// <summary>
    /// Where the run keeps its Pareto front between rounds (not a DSPy parameter): saved after the seed evaluation and after
    /// every round, and loaded at the start, so a run with the same configuration and store resumes from the last round
    /// saved and reaches the same result. Null (the default) keeps the front in memory only. One store per run.
    /// </summary>
    public IGepaFrontStore? FrontStore { get; init; }
}
