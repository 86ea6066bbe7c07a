namespace Dspy;

/// <summary>A thread-safe least-recently-used map with a maximum number of entries (DSPy's <c>cachetools.LRUCache</c>).</summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
public sealed class MemoryLruCache<TValue>
{
    private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, TValue Value)> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Creates a cache holding at most <paramref name="maxEntries"/> entries.</summary>
    public MemoryLruCache(long maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        MaxEntries = maxEntries;
    }

    /// <summary>The capacity; the least recently used entry is dropped beyond it.</summary>
    public long MaxEntries { get; }

    /// <summary>Number of entries.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _map.Count;
        }
    }

    /// <summary>Looks up <paramref name="key"/> and marks it most recently used.</summary>
    public bool TryGet(string key, out TValue value)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, evicting the least recently used entries over capacity.</summary>
    public void Set(string key, TValue value)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                _order.Remove(existing);
                _map.Remove(key);
            }
            _map[key] = _order.AddFirst((key, value));
            while (_map.Count > MaxEntries && _order.Last is { } last)
            {
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
            }
        }
    }

    /// <summary>True if <paramref name="key"/> is cached (does not change the order).</summary>
    public bool ContainsKey(string key)
    {
        lock (_lock) return _map.ContainsKey(key);
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _order.Clear();
        }
    }
}
