namespace Dspy;

/// <summary>
/// The persistent level of the LM response cache, behind <see cref="Cache"/>'s memory LRU: <see cref="DiskCache"/> in
/// process, or a shared store (e.g. a cluster's table and blob storage) so that every process reuses every response.
/// Entries are opaque text (the cache's JSON of one response) under DSPy's cache keys (<see cref="Cache.ComputeKey"/>).
/// </summary>
/// <remarks>
/// A cache store is an optimisation, never a dependency of a run: a missing, unreadable or corrupted entry reads as null,
/// and <see cref="Cache"/> also treats a failing store call as a miss (or a lost write), so implementations may throw.
/// </remarks>
public interface ILMCacheStore
{
    /// <summary>The entry stored under <paramref name="key"/>, or null when there is none (or it cannot be read).</summary>
    ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="entry"/> under <paramref name="key"/>, replacing any previous entry.</summary>
    ValueTask PutAsync(string key, string entry, CancellationToken cancellationToken = default);
}
