namespace Dspy.Grains;

/// <summary>
/// Evaluates a slice of examples for one candidate (key <see cref="GrainKeys.Shard"/>: run id + candidate hash + shard
/// id). Keyed, not a stateless worker, so placement spreads shards over the silos; each runs the program with its own
/// silo's LM pipeline. Completed cells are persisted, so the same work asked again (a resumed run) costs no LM call.
/// </summary>
[Alias("dspy.IEvaluationShardGrain")]
public interface IEvaluationShardGrain : IGrainWithStringKey
{
    /// <summary>Evaluates the slice and returns its cells in the slice's order.</summary>
    [Alias("Evaluate")]
    [ResponseTimeout("00:30:00")]
    Task<IReadOnlyList<CellResult>> EvaluateAsync(ShardWork work, CancellationToken cancellationToken = default);

    /// <summary>How many cells this activation has evaluated itself (not served from the shard's store).</summary>
    [Alias("EvaluatedCount")]
    Task<int> EvaluatedCountAsync();

    /// <summary>The silo this activation runs on (for placement checks and diagnostics).</summary>
    [Alias("Silo")]
    Task<string> SiloAsync();
}
