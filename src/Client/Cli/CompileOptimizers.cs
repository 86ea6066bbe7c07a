namespace Dspy.Cli;

/// <summary>
/// What an optimizer factory of <c>dspy compile</c> receives: the parsed options, the metric and the LMs. Options an
/// optimizer does not use must be refused with <see cref="Reject{T}"/>, so a flag is never silently ignored.
/// </summary>
internal sealed record CompileOptimizerContext
{
    /// <summary>The optimizer's CLI name as the user typed it (after alias resolution).</summary>
    public required string Name { get; init; }

    /// <summary>The metric (<c>--metric</c>).</summary>
    public required Metric Metric { get; init; }

    /// <summary><c>--seed</c>; null when not given.</summary>
    public long? Seed { get; init; }

    /// <summary><c>--threads</c>.</summary>
    public required int NumThreads { get; init; }

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

    /// <summary><c>--auto</c>: light, medium or heavy (already validated), or null.</summary>
    public string? Auto { get; init; }

    /// <summary>The LM of the program (<c>--lm</c>).</summary>
    public required LM TaskLm { get; init; }

    /// <summary>The proposal/reflection LM (<c>--prompt-lm</c>), or null when not given (use <see cref="TaskLm"/>).</summary>
    public LM? PromptLm { get; init; }

    /// <summary>Throws the CLI's error for <paramref name="option"/> when it was given to an optimizer that does not use it.</summary>
    public void Reject<T>(string option, T? value)
    {
        if (value is not null) throw new CliException($"{option} does not apply to {Name}.");
    }
}

/// <summary>An optimizer <c>dspy compile</c> can run: its CLI name, other spellings, a one-line description and a factory.</summary>
internal sealed record CompileOptimizer(string Name, IReadOnlyList<string> Aliases, string Description, Func<CompileOptimizerContext, Teleprompter> Create);

/// <summary>
/// The optimizers of <c>dspy compile</c>, by CLI name. To add one, write its factory next to the optimizer's CLI code and
/// add one line to <see cref="All"/>; the factory validates the options it uses and rejects the others.
/// </summary>
internal static class CompileOptimizers
{
    public static IReadOnlyList<CompileOptimizer> All { get; } =
    [
        BuiltInOptimizers.LabeledFewShot,
        BuiltInOptimizers.BootstrapFewShot,
        BuiltInOptimizers.RandomSearch,
        GepaCompileOptimizers.Gepa,
        GepaCompileOptimizers.Simba,
        OtherOptimizers.KnnFewShot,
        OtherOptimizers.InferRules,
        OtherOptimizers.BootstrapFinetune,
        OtherOptimizers.BetterTogether,
        // One line per optimizer below (mipro, gepa, others).
    ];

    /// <summary>The optimizer named <paramref name="name"/> (or one of its aliases, case-insensitive).</summary>
    /// <exception cref="CliException">No optimizer has that name.</exception>
    public static CompileOptimizer Find(string name)
    {
        foreach (var optimizer in All)
        {
            if (string.Equals(optimizer.Name, name, StringComparison.OrdinalIgnoreCase)
                || optimizer.Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase))) return optimizer;
        }
        throw new CliException($"--optimizer: unknown optimizer '{name}'; known: {Describe()}.");
    }

    /// <summary>The names, with aliases in parentheses.</summary>
    public static string Describe() => string.Join(", ", All.Select(o => o.Aliases.Count == 0 ? o.Name : $"{o.Name} (alias {string.Join(", ", o.Aliases)})"));
}
