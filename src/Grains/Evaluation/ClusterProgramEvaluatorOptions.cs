namespace Dspy.Grains;

/// <summary>Options of a <see cref="ClusterProgramEvaluator"/>.</summary>
public sealed record ClusterProgramEvaluatorOptions
{
    /// <summary>The run the candidates and shards belong to (letters, digits, '-', '_', '.').</summary>
    public required string RunId { get; init; }

    /// <summary>How the silos rebuild the evaluated programs.</summary>
    public required ProgramSpec Program { get; init; }

    /// <summary>The dataset grain the examples are registered with; null means the run id.</summary>
    public string? DatasetId { get; init; }

    /// <summary>
    /// Examples per shard grain. Smaller shards spread work over more silos and lose less on a crash; larger ones make
    /// fewer grain calls. Results never depend on it.
    /// </summary>
    public int ShardSize { get; init; } = 4;

    /// <summary>Tries per shard call when a silo fails (transient errors only).</summary>
    public int ShardAttempts { get; init; } = 6;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        GrainKeys.CheckRunId(RunId);
        ArgumentNullException.ThrowIfNull(Program);
        if (DatasetId is not null) GrainKeys.CheckRunId(DatasetId);
        if (ShardAttempts < 1) throw new ArgumentException($"ShardAttempts must be at least 1, not {ShardAttempts}.");
        if (ShardSize < 1) throw new ArgumentException($"ShardSize must be at least 1, not {ShardSize}.");
    }
}
