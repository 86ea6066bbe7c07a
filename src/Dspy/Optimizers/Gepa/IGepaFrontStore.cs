namespace Dspy;

/// <summary>
/// Where a <see cref="Gepa"/> run keeps its Pareto front between rounds (<see cref="GepaOptions.FrontStore"/>). The run
/// loads it once at the start (a saved checkpoint means resume from it) and saves it after the seed evaluation and after
/// every round, once that round's proposals have been applied in slot order. One store belongs to one run: a cluster keys
/// it by run id. Without a store the front lives only in the run's memory (DSPy's behaviour).
/// </summary>
public interface IGepaFrontStore
{
    /// <summary>The last checkpoint saved, or null when the run has not saved one yet.</summary>
    Task<GepaCheckpoint?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the saved checkpoint; returns once it is stored.</summary>
    Task SaveAsync(GepaCheckpoint checkpoint, CancellationToken cancellationToken);
}
