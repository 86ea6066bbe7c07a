namespace Dspy.Grains;

/// <summary>
/// What a shard grain evaluates: a candidate (by hash, read from its candidate grain) on examples (by id, read from the
/// dataset grain) with the given settings. Only ids and hashes travel.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.ShardWork")]
public sealed record ShardWork
{
    /// <summary>The run the candidate belongs to.</summary>
    [Id(0)] public required string RunId { get; init; }

    /// <summary>The candidate hash.</summary>
    [Id(1)] public required string CandidateHash { get; init; }

    /// <summary>The dataset holding the examples.</summary>
    [Id(2)] public required string DatasetId { get; init; }

    /// <summary>The example ids of the slice, in order.</summary>
    [Id(3)] public required IReadOnlyList<string> ExampleIds { get; init; }

    /// <summary>How to evaluate.</summary>
    [Id(4)] public required EvaluationSettings Settings { get; init; }

    /// <summary>
    /// The limits of the run's LM budget when the work is charged to it (the shard's calls reserve from the run's
    /// <see cref="IRunBudgetGrain"/>); null when not budgeted. Not part of the shard id: it does not change a cell's result.
    /// </summary>
    [Id(5)] public RunBudgetLimits? Budget { get; init; }

    /// <summary>
    /// The slice's examples themselves, sent only on a retry after the shard could not read them from the dataset grain
    /// (memory storage on a silo that died, or a duplicate activation while the directory recovers); null otherwise.
    /// </summary>
    [Id(6)] public IReadOnlyList<DatasetExample>? Examples { get; init; }

    /// <summary>
    /// The phase of the compile run the work belongs to (<see cref="RunPhases"/>): the shard's provider calls are counted
    /// in it by the run's <see cref="IRunBudgetGrain"/>. Null for an evaluation outside a compile run (not counted). Not
    /// part of the shard id.
    /// </summary>
    [Id(7)] public string? Phase { get; init; }

    /// <summary>The shard id: the hash of the slice and the settings, so the same work always lands on the same grain.</summary>
    public string ShardId => DatasetExample.Hash(string.Join(",", ExampleIds) + "\n" + Settings.CellKey());
}
