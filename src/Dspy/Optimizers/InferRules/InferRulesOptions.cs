namespace Dspy;

/// <summary>
/// The settings of <see cref="InferRules"/>, with DSPy's names and defaults (<c>InferRules(num_candidates=10, num_rules=10,
/// num_threads=None, teacher_settings=None, **bootstrap_kwargs)</c>); <see cref="Bootstrap"/> holds the
/// <see cref="BootstrapFewShot"/> keyword arguments, whose <see cref="BootstrapFewShotOptions.Metric"/> also scores the candidates.
/// </summary>
public sealed record InferRulesOptions
{
    /// <summary>Candidate programs, each with freshly induced rules (DSPy's <c>num_candidates</c>).</summary>
    public int NumCandidates { get; init; } = 10;

    /// <summary>The number of rules the induction prompt asks for (DSPy's <c>num_rules</c>).</summary>
    public int NumRules { get; init; } = 10;

    /// <summary>Threads of each candidate evaluation; null means <see cref="DspySettings.NumThreads"/>.</summary>
    public int? NumThreads { get; init; }

    /// <summary>Settings the bootstrapping teacher and the rule induction run under (DSPy's <c>teacher_settings</c>).</summary>
    public Func<DspySettings, DspySettings>? TeacherSettings { get; init; }

    /// <summary>The <see cref="BootstrapFewShot"/> arguments (metric, demos, rounds, errors); the metric is required.</summary>
    public required BootstrapFewShotOptions Bootstrap { get; init; }

    /// <summary>Seed of the rule-induction rollout ids (DSPy's <c>random.Random(0)</c> when 0).</summary>
    public long Seed { get; init; }
}
