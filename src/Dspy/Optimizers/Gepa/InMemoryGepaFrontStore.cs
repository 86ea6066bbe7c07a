namespace Dspy;

/// <summary>
/// An <see cref="IGepaFrontStore"/> in process memory: keeps the last checkpoint, so a second run of the same GEPA
/// configuration with this store resumes where the first stopped (e.g. after a cancellation). Thread-safe.
/// </summary>
public sealed class InMemoryGepaFrontStore : IGepaFrontStore
{
    private GepaCheckpoint? _checkpoint;
    private int _saves;

    /// <summary>The last checkpoint saved, if any.</summary>
    public GepaCheckpoint? Checkpoint => Volatile.Read(ref _checkpoint);

    /// <summary>Checkpoints saved so far.</summary>
    public int Saves => Volatile.Read(ref _saves);

    /// <inheritdoc/>
    public Task<GepaCheckpoint?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Checkpoint);

    /// <inheritdoc/>
    public Task SaveAsync(GepaCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        cancellationToken.ThrowIfCancellationRequested();
        Volatile.Write(ref _checkpoint, checkpoint);
        Interlocked.Increment(ref _saves);
        return Task.CompletedTask;
    }
}
