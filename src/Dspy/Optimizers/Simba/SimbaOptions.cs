namespace Dspy;

/// <summary>
/// The settings of <see cref="Simba"/>, with DSPy's names and defaults (<c>SIMBA(*, metric, bsize=32, num_candidates=6,
/// max_steps=8, max_demos=4, prompt_model=None, teacher_settings=None, demo_input_field_maxlen=100_000, num_threads=None,
/// temperature_for_sampling=0.2, temperature_for_candidates=0.2)</c>) plus <c>compile</c>'s <see cref="Seed"/>.
/// </summary>
public sealed record SimbaOptions
{
    /// <summary>Scores each run; may return a <see cref="ScoreWithFeedback"/>, whose other fields become the reward info.</summary>
    public required Metric Metric { get; init; }

    /// <summary>Mini-batch size; the trainset must have at least this many examples.</summary>
    public int Bsize { get; init; } = 32;

    /// <summary>LM samples per example per step, and new candidates per step (plus one).</summary>
    public int NumCandidates { get; init; } = 6;

    /// <summary>Optimization steps.</summary>
    public int MaxSteps { get; init; } = 8;

    /// <summary>Demos a predictor holds before some are dropped; 0 disables <c>append_a_demo</c>.</summary>
    public int MaxDemos { get; init; } = 4;

    /// <summary>The LM that writes rules (<c>append_a_rule</c>); null means the configured LM.</summary>
    public BaseLM? PromptModel { get; init; }

    /// <summary>Characters of an input field kept in a new demo.</summary>
    public int DemoInputFieldMaxlen { get; init; } = 100_000;

    /// <summary>Examples run at once; null means <see cref="DspySettings.NumThreads"/>. Results never depend on it.</summary>
    public int? NumThreads { get; init; }

    /// <summary>Softmax temperature for picking the program that runs each trajectory.</summary>
    public double TemperatureForSampling { get; init; } = 0.2;

    /// <summary>Softmax temperature for picking the source program of each new candidate.</summary>
    public double TemperatureForCandidates { get; init; } = 0.2;

    /// <summary><c>compile(..., seed=0)</c>: the seed of every random choice.</summary>
    public int Seed { get; init; }
}
