namespace Dspy;

/// <summary>A thread-safe, capped list of <see cref="LMHistoryEntry"/> (oldest dropped first), as DSPy's LM histories.</summary>
public sealed class LMHistoryLog
{
    private readonly List<LMHistoryEntry> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>Appends an entry, dropping the oldest beyond <paramref name="maxSize"/>; nothing is kept when it is 0.</summary>
    public void Add(LMHistoryEntry entry, int maxSize)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (maxSize <= 0) return;
            _entries.Add(entry);
            if (_entries.Count > maxSize) _entries.RemoveRange(0, _entries.Count - maxSize);
        }
    }

    /// <summary>A snapshot in call order.</summary>
    public IReadOnlyList<LMHistoryEntry> Entries
    {
        get
        {
            lock (_lock) return _entries.ToArray();
        }
    }

    /// <summary>Number of entries.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _entries.Count;
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        lock (_lock) _entries.Clear();
    }
}
