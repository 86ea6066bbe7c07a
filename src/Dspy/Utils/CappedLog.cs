namespace Dspy;

/// <summary>
/// A thread-safe list that keeps only its newest entries (oldest dropped first): DSPy's FIFO caps on traces and
/// histories (<c>max_trace_size</c>, <c>max_history_size</c>) that keep long-running services from growing without bound.
/// </summary>
public class CappedLog<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _lock = new();

    /// <summary>Appends an item, dropping the oldest beyond <paramref name="maxSize"/>; nothing is kept when it is 0 or less.</summary>
    public void Add(T item, int maxSize)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            if (maxSize <= 0) return;
            _items.Add(item);
            if (_items.Count > maxSize) _items.RemoveRange(0, _items.Count - maxSize);
        }
    }

    /// <summary>A snapshot of the items, oldest first.</summary>
    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock) return _items.ToArray();
        }
    }

    /// <summary>Number of items.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _items.Count;
        }
    }

    /// <summary>Removes every item.</summary>
    public void Clear()
    {
        lock (_lock) _items.Clear();
    }
}
