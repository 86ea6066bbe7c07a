namespace Dspy;

/// <summary>A thread-safe, capped trace list (DSPy's <c>settings.trace</c> with <c>max_trace_size</c>, oldest dropped first).</summary>
public sealed class TraceLog
{
    private readonly List<TraceStep> _steps = [];
    private readonly Lock _lock = new();

    /// <summary>Appends a step, dropping the oldest beyond <paramref name="maxSize"/>.</summary>
    public void Add(TraceStep step, int maxSize)
    {
        lock (_lock)
        {
            if (maxSize <= 0) return;
            _steps.Add(step);
            if (_steps.Count > maxSize) _steps.RemoveRange(0, _steps.Count - maxSize);
        }
    }

    /// <summary>A snapshot of the steps in order.</summary>
    public IReadOnlyList<TraceStep> Steps
    {
        get
        {
            lock (_lock) return _steps.ToArray();
        }
    }

    /// <summary>Number of steps.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _steps.Count;
        }
    }

    /// <summary>Removes every step.</summary>
    public void Clear()
    {
        lock (_lock) _steps.Clear();
    }
}
