namespace Dspy.Grains;

/// <summary>
/// A run's Pareto front (key: run id), GEPA's instance-level front: for each example the best score seen and the
/// candidates that reach it; a candidate is on the front while it is best (ties included) on at least one example.
/// Persisted; concurrent updates (parallel proposals) are applied one at a time and their writes coalesced. A GEPA run
/// keeps its whole front here too (<see cref="SaveGepaAsync"/>), saved after every round, so a resumed run continues
/// from its last round.
/// </summary>
[Alias("dspy.IParetoFrontGrain")]
public interface IParetoFrontGrain : IGrainWithStringKey
{
    /// <summary>Merges a candidate's per-example scores; returns the front after the update (once it is stored).</summary>
    [Alias("Update")]
    Task<ParetoFront> UpdateAsync(string candidateHash, IReadOnlyList<ExampleScore> scores);

    /// <summary>The current front.</summary>
    [Alias("Get")]
    Task<ParetoFront> GetAsync();

    /// <summary>Replaces the run's GEPA checkpoint; returns once it is stored.</summary>
    /// <exception cref="ArgumentException">The record is inconsistent (see the message).</exception>
    /// <exception cref="InvalidOperationException">The grain holds the checkpoint of another GEPA configuration.</exception>
    [Alias("SaveGepa")]
    Task SaveGepaAsync(GepaFrontRecord record);

    /// <summary>The run's GEPA checkpoint, or null when none was saved.</summary>
    [Alias("GetGepa")]
    Task<GepaFrontRecord?> GetGepaAsync();
}

/// <summary>A Pareto front: the candidates on it (ordered by hash) and, per example (ordered by id), the best score and who reaches it.</summary>
[GenerateSerializer, Immutable, Alias("dspy.ParetoFront")]
public sealed record ParetoFront(
    [property: Id(0)] IReadOnlyList<string> Candidates,
    [property: Id(1)] IReadOnlyList<ParetoCell> Examples);

/// <summary>One example of a front: its best score and the candidates (ordered by hash) that reach it.</summary>
[GenerateSerializer, Immutable, Alias("dspy.ParetoCell")]
public sealed record ParetoCell(
    [property: Id(0)] string ExampleId,
    [property: Id(1)] double Best,
    [property: Id(2)] IReadOnlyList<string> Candidates);
