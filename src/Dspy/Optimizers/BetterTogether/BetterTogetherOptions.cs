namespace Dspy;

/// <summary>
/// The compile arguments of <see cref="BetterTogether"/>, with DSPy's names and defaults (<c>compile(..., num_threads=None,
/// max_errors=None, seed=None, valset_ratio=0.1, shuffle_trainset_between_steps=True, strategy="p -&gt; w -&gt; p",
/// optimizer_compile_args=None)</c>).
/// </summary>
public sealed record BetterTogetherOptions
{
    /// <summary>The optimizer keys to run in order, separated by <c>" -&gt; "</c>.</summary>
    public string Strategy { get; init; } = "p -> w -> p";

    /// <summary>
    /// Seed of the trainset shuffles. DSPy's default <c>None</c> seeds from the system; here the default is 0 so that runs are
    /// reproducible (DESIGN invariant 1).
    /// </summary>
    public long Seed { get; init; }

    /// <summary>Without a valset, the first <c>int(ValsetRatio * n)</c> trainset examples validate; 0 means no validation. In [0, 1).</summary>
    public double ValsetRatio { get; init; } = 0.1;

    /// <summary>Shuffle the trainset (with the seeded generator) before each step.</summary>
    public bool ShuffleTrainsetBetweenSteps { get; init; } = true;

    /// <summary>Threads of each validation; null means <see cref="DspySettings.NumThreads"/>.</summary>
    public int? NumThreads { get; init; }

    /// <summary>Errors tolerated by each validation; null means <see cref="DspySettings.MaxErrors"/>.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>
    /// Per optimizer key, compile options that override the defaults (DSPy's <c>optimizer_compile_args</c>): a non-null
    /// <see cref="CompileOptions.Teacher"/> or <see cref="CompileOptions.Valset"/> replaces BetterTogether's.
    /// </summary>
    public IReadOnlyDictionary<string, CompileOptions>? OptimizerCompileOptions { get; init; }
}
