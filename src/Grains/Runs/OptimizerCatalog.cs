namespace Dspy.Grains;

/// <summary>Builds a compile run's optimizer from its <see cref="CompileRunConfig"/> through the library's <see cref="OptimizerRegistry"/>.</summary>
public static class OptimizerCatalog
{
    /// <summary>How messages about the task LM name it on a cluster (e.g. an optimizer that fine-tunes needs an openai/... model).</summary>
    public const string TaskLmSetting = "the silos' Dspy:Grains:LmModel";

    /// <summary>Builds the configured optimizer with the silo's LM as the task LM and the prompt LM the config names.</summary>
    /// <exception cref="ArgumentException">Unknown optimizer, or a setting it refuses.</exception>
    public static Teleprompter Create(CompileRunConfig config, Metric metric, SiloLanguageModel silo)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(silo);
        return OptimizerRegistry.Create(new OptimizerArguments
        {
            Name = config.Optimizer,
            Metric = metric,
            Seed = config.Seed,
            NumThreads = config.NumThreads ?? silo.NumThreads,
            MaxDemos = config.MaxBootstrappedDemos,
            MaxLabeled = config.MaxLabeledDemos,
            MaxRounds = config.MaxRounds,
            NumCandidates = config.NumCandidatePrograms,
            StopAtScore = config.StopAtScore,
            Auto = config.Auto,
            Parallelism = config.Parallelism,
            TaskLm = silo.Lm,
            TaskLmSetting = TaskLmSetting,
            PromptLm = config.PromptModel is { } model ? silo.ForModel(model) : null,
        });
    }
}
