namespace Dspy;

/// <summary>
/// The by-name form of an optimizer's parameters, as <c>dspy compile</c> and cluster runs give them: every value is
/// optional (null means the optimizer's DSPy default). The names in error messages are the <c>dspy compile</c> options
/// (<c>--max-demos</c> is <c>max_bootstrapped_demos</c>, <c>--max-labeled</c> is <c>max_labeled_demos</c>, ...).
/// </summary>
public sealed record OptimizerArguments
{
    /// <summary>The optimizer's registered name (after alias resolution), used in messages.</summary>
    public required string Name { get; init; }

    /// <summary>The metric.</summary>
    public required Metric Metric { get; init; }

    /// <summary><c>--seed</c>.</summary>
    public long? Seed { get; init; }

    /// <summary><c>--threads</c>: examples evaluated at once (results never depend on it).</summary>
    public int NumThreads { get; init; } = 8;

    /// <summary><c>--max-demos</c>: bootstrapped demos.</summary>
    public int? MaxDemos { get; init; }

    /// <summary><c>--max-labeled</c>: labeled demos.</summary>
    public int? MaxLabeled { get; init; }

    /// <summary><c>--max-rounds</c>.</summary>
    public int? MaxRounds { get; init; }

    /// <summary><c>--num-candidates</c>.</summary>
    public int? NumCandidates { get; init; }

    /// <summary><c>--stop-at-score</c>.</summary>
    public double? StopAtScore { get; init; }

    /// <summary><c>--auto</c>: light, medium or heavy.</summary>
    public string? Auto { get; init; }

    /// <summary>
    /// <c>--parallel-trials</c>: K, the trials (MIPROv2), proposals (GEPA) or candidates (random search, COPRO) a round
    /// evaluates at once (DESIGN invariant 4). Part of the configuration: K = 1 is DSPy's sequential algorithm.
    /// </summary>
    public int? Parallelism { get; init; }

    /// <summary>The LM of the program (<c>--lm</c>).</summary>
    public required BaseLM TaskLm { get; init; }

    /// <summary>
    /// Where <see cref="TaskLm"/> was chosen, as messages about it name it: <c>--lm</c> (the default) for <c>dspy compile</c>,
    /// the silos' setting for a cluster run. Null when <see cref="TaskLm"/> only stands in for an LM chosen where the
    /// optimizer will run (a client checking a cluster run's options): checks of the LM itself are then left to there.
    /// </summary>
    public string? TaskLmSetting { get; init; } = "--lm";

    /// <summary>The proposal/reflection LM (<c>--prompt-lm</c>), or null to use <see cref="TaskLm"/>.</summary>
    public BaseLM? PromptLm { get; init; }

    /// <summary>Throws for <paramref name="option"/> when it was given to an optimizer that does not use it.</summary>
    /// <exception cref="ArgumentException">The option was given.</exception>
    public void Reject<T>(string option, T? value)
    {
        if (value is not null) throw new ArgumentException($"{option} does not apply to {Name}.");
    }
}
