namespace Dspy;

/// <summary>
/// DSPy's optimizers by name with their parameters in by-name form (<see cref="OptimizerArguments"/>): what
/// <c>dspy compile --optimizer</c> and cluster compile runs build. Each factory validates the arguments it uses and
/// refuses the others, so a setting is never silently ignored.
/// </summary>
public static class OptimizerRegistry
{
    /// <summary>The optimizers, in help order.</summary>
    public static IReadOnlyList<OptimizerFactory> All { get; } =
    [
        DemoOptimizerFactories.LabeledFewShot,
        DemoOptimizerFactories.BootstrapFewShot,
        DemoOptimizerFactories.RandomSearch,
        ReflectiveOptimizerFactories.Gepa,
        ReflectiveOptimizerFactories.Simba,
        OtherOptimizerFactories.KnnFewShot,
        OtherOptimizerFactories.InferRules,
        OtherOptimizerFactories.BootstrapFinetune,
        OtherOptimizerFactories.BetterTogether,
        InstructionOptimizerFactories.Mipro,
        InstructionOptimizerFactories.Copro,
    ];

    /// <summary>The optimizer named <paramref name="name"/> (or one of its aliases, case-insensitive), or null.</summary>
    public static OptimizerFactory? TryFind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)
            || o.Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The optimizer named <paramref name="name"/> (or one of its aliases, case-insensitive).</summary>
    /// <exception cref="ArgumentException">No optimizer has that name.</exception>
    public static OptimizerFactory Find(string name) =>
        TryFind(name) ?? throw new ArgumentException($"--optimizer: unknown optimizer '{name}'; known: {Describe()}.");

    /// <summary>Builds the optimizer <paramref name="arguments"/> names (<see cref="OptimizerArguments.Name"/>).</summary>
    /// <exception cref="ArgumentException">Unknown optimizer, or an argument it refuses.</exception>
    public static Teleprompter Create(OptimizerArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var factory = Find(arguments.Name);
        return factory.Create(arguments with { Name = factory.Name });
    }

    /// <summary>The names, with aliases in parentheses.</summary>
    public static string Describe() => string.Join(", ", All.Select(o => o.Aliases.Count == 0 ? o.Name : $"{o.Name} (alias {string.Join(", ", o.Aliases)})"));
}
