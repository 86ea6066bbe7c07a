namespace Dspy;

/// <summary>
/// The state behind <see cref="Settings"/>: global settings, scoped overrides on an <see cref="AsyncLocal{T}"/>, and
/// the owner of the global settings. A class (not static) so tests can exercise the owner rule on a private instance
/// without disturbing tests that run in parallel.
/// </summary>
internal sealed class SettingsStore
{
    internal const string NotOwnerMessage = "dspy.settings can only be changed by the thread that initially configured it.";

    private DspySettings _global = new();
    private readonly AsyncLocal<DspySettings?> _scoped = new();

    // Identifies an async flow. A flow inherits its parent's token, so tasks started by the owner may reconfigure;
    // DSPy's parallel workers get a fresh token (MarkWorkerFlow), as DSPy's worker threads have other thread ids.
    private readonly AsyncLocal<object?> _flow = new();
    private readonly Lock _ownerLock = new();
    private object? _owner;

    public DspySettings Current => _scoped.Value ?? Volatile.Read(ref _global);

    public DspySettings Global => Volatile.Read(ref _global);

    public void Configure(Func<DspySettings, DspySettings> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        EnsureConfigureAllowed();
        DspySettings current, next;
        do
        {
            current = Volatile.Read(ref _global);
            next = update(current) ?? throw new InvalidOperationException("The settings update returned null.");
        }
        while (Interlocked.CompareExchange(ref _global, next, current) != current);
    }

    public IDisposable Context(Func<DspySettings, DspySettings> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var previous = _scoped.Value;
        _scoped.Value = update(Current) ?? throw new InvalidOperationException("The settings update returned null.");
        return new Scope(this, previous);
    }

    public void Reset()
    {
        lock (_ownerLock) _owner = null;
        Volatile.Write(ref _global, new DspySettings());
    }

    /// <summary>Gives the current flow its own identity, so it is not the configuring owner (used by parallel workers).</summary>
    public void MarkWorkerFlow() => _flow.Value = new object();

    private void EnsureConfigureAllowed()
    {
        // This method is synchronous, so setting the AsyncLocal here is visible to the caller's flow afterwards.
        var flow = _flow.Value ??= new object();
        lock (_ownerLock)
        {
            _owner ??= flow;
            if (!ReferenceEquals(_owner, flow)) throw new InvalidOperationException(NotOwnerMessage);
        }
    }

    private sealed class Scope(SettingsStore store, DspySettings? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            store._scoped.Value = previous;
        }
    }
}
