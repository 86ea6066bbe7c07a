namespace Dspy;

/// <summary>
/// The constructor settings of <see cref="MIPROv2"/>, with DSPy 3.3.1's names and defaults (<c>MIPROv2(metric,
/// prompt_model=None, task_model=None, teacher_settings=None, max_bootstrapped_demos=4, max_labeled_demos=4, auto="light",
/// num_candidates=None, num_threads=None, max_errors=None, seed=9, init_temperature=1.0, verbose=False, track_stats=True,
/// log_dir=None, metric_threshold=None)</c>) plus <see cref="TrialParallelism"/>.
/// </summary>
public sealed record MIPROv2Options
{
    /// <summary>Scores programs on the valset and judges bootstrapping runs (required).</summary>
    public required Metric Metric { get; init; }

    /// <summary>The LM that writes the dataset summary and the instructions; null means the configured LM.</summary>
    public BaseLM? PromptModel { get; init; }

    /// <summary>The LM that runs the program while bootstrapping and evaluating; null means the configured LM.</summary>
    public BaseLM? TaskModel { get; init; }

    /// <summary>Settings the teacher runs under while bootstrapping (DSPy's <c>teacher_settings</c>).</summary>
    public Func<DspySettings, DspySettings>? TeacherSettings { get; init; }

    /// <summary>Bootstrapped demos per demo set (the shuffled sets draw <c>randint(1, this)</c>).</summary>
    public int MaxBootstrappedDemos { get; init; } = 4;

    /// <summary>Demos per predictor in total, and <c>k</c> of the labeled-only demo set.</summary>
    public int MaxLabeledDemos { get; init; } = 4;

    /// <summary><c>light</c>, <c>medium</c>, <c>heavy</c> (DSPy's auto budgets), or null to set <see cref="NumCandidates"/> and the trials yourself.</summary>
    public string? Auto { get; init; } = "light";

    /// <summary>Demo sets and instruction candidates per predictor when <see cref="Auto"/> is null.</summary>
    public int? NumCandidates { get; init; }

    /// <summary>Threads of each evaluation and bootstrapping run; null means <see cref="DspySettings.NumThreads"/>. Results do not depend on it.</summary>
    public int? NumThreads { get; init; }

    /// <summary>Errors tolerated by each evaluation and bootstrapping run; null means <see cref="DspySettings.MaxErrors"/>.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>Seeds the shared random generator (valset sample, demo-set shuffles, tips, rollout ids, minibatches) and the TPE search.</summary>
    public int Seed { get; init; } = 9;

    /// <summary>Temperature of the instruction proposals.</summary>
    public double InitTemperature { get; init; } = 1.0;

    /// <summary>Logs each step's details at information level.</summary>
    public bool Verbose { get; init; }

    /// <summary>Keeps the trial logs and candidate programs in the result (DSPy attaches them to the returned program).</summary>
    public bool TrackStats { get; init; } = true;

    /// <summary>When set, every evaluated program is saved to <c>{LogDir}/evaluated_programs/program_{trial}.json</c> as DSPy does.</summary>
    public string? LogDir { get; init; }

    /// <summary>Passed to the bootstrapped demo sets (success when the metric reaches it).</summary>
    public double? MetricThreshold { get; init; }

    /// <summary>
    /// Trials proposed and evaluated at once (not a DSPy parameter; DESIGN invariant 4's K). 1, the default, is DSPy's
    /// sequential search. With K &gt; 1 a round proposes K trials from the same TPE state, the earlier proposals of the round
    /// counted as pending (constant liar: they join the "bad" group), each with its own random stream derived from (seed,
    /// round, slot); their minibatches are drawn from the shared generator in slot order; the K evaluations run concurrently
    /// and their results are applied in slot order (full evaluations included), so the result is the same for any thread
    /// count and completion order. Different K values explore differently.
    /// </summary>
    public int TrialParallelism { get; init; } = 1;
}
