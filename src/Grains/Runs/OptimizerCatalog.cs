namespace Dspy.Grains;

/// <summary>The optimizers a cluster run can use, built from a <see cref="CompileRunConfig"/> with DSPy's parameters.</summary>
public static class OptimizerCatalog
{
    /// <summary>Builds the configured optimizer.</summary>
    public static Teleprompter Create(CompileRunConfig config, Metric metric)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(metric);
        return config.Optimizer switch
        {
            "labeled-fewshot" => new LabeledFewShot(config.MaxLabeledDemos, config.Seed),
            "bootstrap-fewshot" => new BootstrapFewShot(new BootstrapFewShotOptions
            {
                Metric = metric, MaxBootstrappedDemos = config.MaxBootstrappedDemos, MaxLabeledDemos = config.MaxLabeledDemos, Seed = config.Seed,
            }),
            "random-search" => new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
            {
                Metric = metric, MaxBootstrappedDemos = config.MaxBootstrappedDemos, MaxLabeledDemos = config.MaxLabeledDemos,
                NumCandidatePrograms = config.NumCandidatePrograms, CandidateParallelism = config.CandidateParallelism,
            }),
            _ => throw new ArgumentException($"Unknown optimizer '{config.Optimizer}'."),
        };
    }
}
