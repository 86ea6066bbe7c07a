namespace Dspy;

/// <summary>
/// What a <see cref="Gepa"/> run saves to its <see cref="IGepaFrontStore"/> after the seed evaluation and after each round:
/// the Pareto front (candidates included) and the few counters the rest of the search depends on. Every random choice of a
/// round comes from (seed, round, slot), so a run restored from a checkpoint continues exactly as the uninterrupted run did.
/// </summary>
public sealed record GepaCheckpoint
{
    /// <summary>
    /// Identifies the run configuration the checkpoint belongs to (seed, budget, parallelism, data sizes, the student's
    /// instructions ...); a run refuses a checkpoint with another key.
    /// </summary>
    public required string RunKey { get; init; }

    /// <summary>The front.</summary>
    public required GepaParetoFrontState Front { get; init; }

    /// <summary>Rounds completed (0 after the seed evaluation).</summary>
    public required int Round { get; init; }

    /// <summary>GEPA's iteration counter (picks the next training minibatch).</summary>
    public required int Iteration { get; init; }

    /// <summary>Metric calls made so far.</summary>
    public required long TotalMetricCalls { get; init; }

    /// <summary>Full validation evaluations made so far (the seed's included).</summary>
    public required int NumFullValEvals { get; init; }

    /// <summary>Merges scheduled and not yet tried.</summary>
    public required int MergesDue { get; init; }

    /// <summary>Merges accepted so far.</summary>
    public required int TotalMergesTested { get; init; }

    /// <summary>Whether the last round added a program (a merge is only tried after one that did).</summary>
    public required bool LastIterFoundNewProgram { get; init; }

    /// <summary>Whether the run has stopped (budget); a resumed run then returns its result at once.</summary>
    public required bool Stopped { get; init; }

    /// <summary>The minibatch sampler's epoch.</summary>
    public required int SamplerEpoch { get; init; }

    /// <summary>How many times the minibatch sampler has shuffled the trainset (its random stream is replayed that far).</summary>
    public required int SamplerShuffles { get; init; }

    /// <summary>The (i, j, common ancestor) triples merge has already tried.</summary>
    public required List<GepaMergeTriple> MergedTriples { get; init; }

    /// <summary>The merge descriptions already tried (GEPA's <c>merges_performed</c>).</summary>
    public required List<string> MergedDescriptions { get; init; }
}
