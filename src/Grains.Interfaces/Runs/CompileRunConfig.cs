namespace Dspy.Grains;

/// <summary>
/// What a compile run optimizes and how (the value form of a <c>dspy compile</c> command): the program, the examples by
/// id in a dataset grain, the metric by name, the optimizer and its DSPy parameters, the seed. Small: ids, not examples.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.CompileRunConfig")]
public sealed record CompileRunConfig
{
    /// <summary>The program to optimize.</summary>
    [Id(0)] public required ProgramSpec Program { get; init; }

    /// <summary>A starting state (<c>Module.DumpState</c> JSON), or null for the fresh program.</summary>
    [Id(1)] public string? InitialStateJson { get; init; }

    /// <summary>The dataset grain holding the examples.</summary>
    [Id(2)] public required string DatasetId { get; init; }

    /// <summary>Trainset example ids, in order.</summary>
    [Id(3)] public required IReadOnlyList<string> TrainIds { get; init; }

    /// <summary>Valset example ids, in order; empty means the trainset (as DSPy defaults).</summary>
    [Id(4)] public IReadOnlyList<string> ValIds { get; init; } = [];

    /// <summary>The metric's registered name.</summary>
    [Id(5)] public required string MetricName { get; init; }

    /// <summary>The optimizer: <c>labeled-fewshot</c>, <c>bootstrap-fewshot</c> or <c>random-search</c> (BootstrapFewShotWithRandomSearch).</summary>
    [Id(6)] public required string Optimizer { get; init; }

    /// <summary>The seed.</summary>
    [Id(7)] public long Seed { get; init; }

    /// <summary>DSPy's <c>max_bootstrapped_demos</c>.</summary>
    [Id(8)] public int MaxBootstrappedDemos { get; init; } = 4;

    /// <summary>DSPy's <c>max_labeled_demos</c>.</summary>
    [Id(9)] public int MaxLabeledDemos { get; init; } = 16;

    /// <summary>DSPy's <c>num_candidate_programs</c> (random search).</summary>
    [Id(10)] public int NumCandidatePrograms { get; init; } = 16;

    /// <summary>Candidates evaluated at once (random search); part of the configuration, results never depend on it.</summary>
    [Id(11)] public int CandidateParallelism { get; init; } = 1;

    /// <summary>Examples per shard grain.</summary>
    [Id(12)] public int ShardSize { get; init; } = 4;

    /// <summary>The tenant the run belongs to (for quotas); null for a single-tenant cluster.</summary>
    [Id(13)] public string? Tenant { get; init; }

    /// <summary>
    /// Hard LM limits of the optimization (calls, tokens, cost), enforced on every silo through the run's
    /// <see cref="IRunBudgetGrain"/>; null for none. The baseline and final evaluations are not charged (as in-process).
    /// </summary>
    [Id(20)] public RunBudgetLimits? Budget { get; init; }

    /// <summary>Checks the configuration.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range, named.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Program);
        GrainKeys.CheckRunId(DatasetId);
        if (TrainIds is null || TrainIds.Count == 0) throw new ArgumentException("A compile run needs a non-empty trainset.");
        if (string.IsNullOrWhiteSpace(MetricName)) throw new ArgumentException("A compile run needs a metric name.");
        if (Optimizer is not ("labeled-fewshot" or "bootstrap-fewshot" or "random-search"))
        {
            throw new ArgumentException($"Unknown optimizer '{Optimizer}' for a cluster run; expected labeled-fewshot, bootstrap-fewshot or random-search.");
        }
        if (MaxBootstrappedDemos < 0 || MaxLabeledDemos < 0) throw new ArgumentException("Demo counts must not be negative.");
        if (NumCandidatePrograms < 1) throw new ArgumentException("NumCandidatePrograms must be at least 1.");
        if (CandidateParallelism < 1) throw new ArgumentException("CandidateParallelism must be at least 1.");
        if (ShardSize < 1) throw new ArgumentException("ShardSize must be at least 1.");
        Budget?.Validate();
    }
}
