namespace Dspy;

/// <summary>
/// The settings of <see cref="BootstrapFewShotWithRandomSearch"/>, with DSPy's names and defaults
/// (<c>BootstrapFewShotWithRandomSearch(metric, teacher_settings=None, max_bootstrapped_demos=4, max_labeled_demos=16,
/// max_rounds=1, num_candidate_programs=16, num_threads=None, max_errors=None, stop_at_score=None, metric_threshold=None)</c>)
/// plus <see cref="CandidateParallelism"/>.
/// </summary>
public sealed record BootstrapFewShotWithRandomSearchOptions
{
    /// <summary>Scores candidates on the valset and judges bootstrapping runs (required, as in DSPy).</summary>
    public required Metric Metric { get; init; }

    /// <summary>Passed to each <see cref="BootstrapFewShot"/> candidate (success when the metric reaches it; see there).</summary>
    public double? MetricThreshold { get; init; }

    /// <summary>Settings the teacher runs under while bootstrapping (DSPy's <c>teacher_settings</c>).</summary>
    public Func<DspySettings, DspySettings>? TeacherSettings { get; init; }

    /// <summary>
    /// The most bootstrapped demos a candidate collects: seed -1 collects this many, seeds &gt;= 0 draw
    /// <c>randint(1, max_bootstrapped_demos)</c>.
    /// </summary>
    public int MaxBootstrappedDemos { get; init; } = 4;

    /// <summary>Demos per predictor in total, and <c>k</c> of the labeled-only candidate (seed -2).</summary>
    public int MaxLabeledDemos { get; init; } = 16;

    /// <summary>Tries per example while bootstrapping.</summary>
    public int MaxRounds { get; init; } = 1;

    /// <summary>
    /// Candidates with seeds &gt;= 0 (DSPy's <c>num_candidate_programs</c>); with the three fixed candidates (seeds -3, -2,
    /// -1) the search tries this many plus 3 programs.
    /// </summary>
    public int NumCandidatePrograms { get; init; } = 16;

    /// <summary>
    /// Threads of each evaluation and of each bootstrapping run; null means <see cref="DspySettings.NumThreads"/>.
    /// The result does not depend on it.
    /// </summary>
    public int? NumThreads { get; init; }

    /// <summary>Errors tolerated by each bootstrapping run and each evaluation; null means <see cref="DspySettings.MaxErrors"/>.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>Stop once a candidate scores at least this (a percentage, like the scores); null searches all candidates.</summary>
    public double? StopAtScore { get; init; }

    /// <summary>
    /// Candidates built and evaluated at once (not a DSPy parameter; DESIGN invariant 4's K). 1, the default, is DSPy's
    /// sequential search. Results are applied in seed order, so the chosen program, the candidate list and the events do
    /// not depend on it; what can change is the LM budget: with <see cref="StopAtScore"/> the candidates after the
    /// stopping one in the same batch have already run, and two candidates running at once that send an identical request
    /// both miss the cache.
    /// </summary>
    public int CandidateParallelism { get; init; } = 1;
}
