namespace Dspy;

/// <summary>
/// One holder at a time per key in this process: two concurrent fine-tunings of the same request would both find no
/// record and both create a job; with the gate, the second waits and then finds the first's record.
/// </summary>
internal static class RequestGate
{
    private static readonly Dictionary<string, Entry> s_entries = new(StringComparer.Ordinal);
    private static readonly Lock s_lock = new();

    /// <summary>Waits until no one else holds <paramref name="key"/>; dispose the result to let the next one in.</summary>
    public static async Task<IDisposable> EnterAsync(string key, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (s_lock)
        {
            if (!s_entries.TryGetValue(key, out entry!)) s_entries[key] = entry = new Entry();
            entry.Users++;
        }
        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(key, entry, held: false);
            throw;
        }
        return new Holder(key, entry);
    }

    private static void Leave(string key, Entry entry, bool held)
    {
        if (held) entry.Gate.Release();
        lock (s_lock)
        {
            // The last user removes the entry, so keys do not pile up in a long-lived process.
            if (--entry.Users == 0)
            {
                s_entries.Remove(key);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Holder(string key, Entry entry) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Leave(key, entry, held: true);
        }
    }
}
