namespace Dspy;

/// <summary>
/// The settings of <see cref="BootstrapFewShot"/>, with DSPy's names and defaults
/// (<c>BootstrapFewShot(metric=None, metric_threshold=None, teacher_settings=None, max_bootstrapped_demos=4,
/// max_labeled_demos=16, max_rounds=1, max_errors=None)</c>) plus <see cref="NumThreads"/>.
/// </summary>
public sealed record BootstrapFewShotOptions
{
    /// <summary>Judges a teacher run with <c>metric(example, prediction, trace)</c>; null accepts every run.</summary>
    public Metric? Metric { get; init; }

    /// <summary>
    /// When set and non-zero, a run succeeds if the metric's value is at least this; otherwise success is the truthiness of
    /// the metric's value (Python's <c>if self.metric_threshold:</c>).
    /// </summary>
    public double? MetricThreshold { get; init; }

    /// <summary>
    /// Settings the teacher runs under (DSPy's <c>teacher_settings</c>, e.g. <c>s =&gt; s with { Lm = bigLm }</c>); applied
    /// inside the context that also installs a fresh trace.
    /// </summary>
    public Func<DspySettings, DspySettings>? TeacherSettings { get; init; }

    /// <summary>Bootstrapped (augmented) demos to collect; bootstrapping stops once this many examples succeeded.</summary>
    public int MaxBootstrappedDemos { get; init; } = 4;

    /// <summary>Demos per predictor in total: the bootstrapped ones are topped up with labeled examples up to this number.</summary>
    public int MaxLabeledDemos { get; init; } = 16;

    /// <summary>Tries per example; round r &gt; 0 uses <c>lm.Copy(rollout_id = r, temperature = 1.0)</c>, which misses the cache.</summary>
    public int MaxRounds { get; init; } = 1;

    /// <summary>Failed runs (exceptions) tolerated; reaching it re-throws the error. Null means <see cref="DspySettings.MaxErrors"/>.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>
    /// Examples bootstrapped concurrently (at most as many as demos are still needed); null means
    /// <see cref="DspySettings.NumThreads"/>. Neither the result nor the LM calls depend on it (see <see cref="BootstrapFewShot"/>).
    /// </summary>
    public int? NumThreads { get; init; }

    /// <summary>
    /// Seed of the random choices: the teacher's labeled demos, the shuffle of the labeled pool and the samples from it.
    /// DSPy always uses 0 (the default), which picks the same demos as Python DSPy.
    /// </summary>
    public long Seed { get; init; }
}
