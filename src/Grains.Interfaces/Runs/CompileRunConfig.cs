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

    /// <summary>
    /// Ids of the held-out set scored before and after, in order; empty means the trainset. As with <c>dspy compile --val</c>,
    /// the optimizer does not see it (it splits the trainset itself where it needs a validation set).
    /// </summary>
    [Id(4)] public IReadOnlyList<string> ValIds { get; init; } = [];

    /// <summary>The metric's registered name.</summary>
    [Id(5)] public required string MetricName { get; init; }

    /// <summary>The optimizer's registered name (<see cref="OptimizerRegistry"/>: <c>bootstrap-fewshot</c>, <c>mipro</c>, <c>gepa</c>, ...).</summary>
    [Id(6)] public required string Optimizer { get; init; }

    /// <summary>The seed (<c>--seed</c>); null for the optimizer's default.</summary>
    [Id(7)] public long? Seed { get; init; }

    /// <summary>DSPy's <c>max_bootstrapped_demos</c> (<c>--max-demos</c>); null for the optimizer's default.</summary>
    [Id(8)] public int? MaxBootstrappedDemos { get; init; }

    /// <summary>DSPy's <c>max_labeled_demos</c> (<c>--max-labeled</c>); null for the optimizer's default.</summary>
    [Id(9)] public int? MaxLabeledDemos { get; init; }

    /// <summary><c>--num-candidates</c> (random search's <c>num_candidate_programs</c>, COPRO's breadth, ...); null for the default.</summary>
    [Id(10)] public int? NumCandidatePrograms { get; init; }

    /// <summary>
    /// K: trials, proposals or candidates a round evaluates at once (<c>--parallel-trials</c>, DESIGN invariant 4); part of
    /// the configuration (K = 1 is DSPy's sequential algorithm); null for 1.
    /// </summary>
    [Id(11)] public int? Parallelism { get; init; }

    /// <summary>Examples per shard grain.</summary>
    [Id(12)] public int ShardSize { get; init; } = 4;

    /// <summary>The tenant the run belongs to (for quotas); null for a single-tenant cluster.</summary>
    [Id(13)] public string? Tenant { get; init; }

    /// <summary><c>--max-rounds</c>; null for the optimizer's default.</summary>
    [Id(14)] public int? MaxRounds { get; init; }

    /// <summary><c>--stop-at-score</c>; null for none.</summary>
    [Id(15)] public double? StopAtScore { get; init; }

    /// <summary><c>--auto</c>: light, medium or heavy; null for the optimizer's default.</summary>
    [Id(16)] public string? Auto { get; init; }

    /// <summary>The proposal/reflection LM's model (<c>--prompt-lm</c>), built on each silo; null for the silos' task LM.</summary>
    [Id(17)] public string? PromptModel { get; init; }

    /// <summary>Examples a shard evaluates at once (<c>--threads</c>); null for the silos' <c>Dspy:Grains:NumThreads</c>.</summary>
    [Id(18)] public int? NumThreads { get; init; }

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
        if (OptimizerRegistry.TryFind(Optimizer ?? "") is null)
        {
            throw new ArgumentException($"Unknown optimizer '{Optimizer}'; known: {OptimizerRegistry.Describe()}.");
        }
        if (NumThreads is < 1) throw new ArgumentException("NumThreads must be at least 1.");
        if (Tenant is not null) TenantContext.CheckTenantId(Tenant);
        if (ShardSize < 1) throw new ArgumentException("ShardSize must be at least 1.");
        Budget?.Validate();
    }
}
