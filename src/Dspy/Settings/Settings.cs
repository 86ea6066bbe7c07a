namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.configure</c> and <c>dspy.context</c>. <c>Configure</c> changes the global settings;
/// <c>Context</c> overrides them for the current async flow (an <see cref="AsyncLocal{T}"/>), which reaches every
/// task started inside it, including parallel evaluation workers.
/// </summary>
public static class Settings
{
    private static DspySettings s_global = new();
    private static readonly AsyncLocal<DspySettings?> s_scoped = new();

    /// <summary>The settings in effect here: the innermost context, else the global settings.</summary>
    public static DspySettings Current => s_scoped.Value ?? Volatile.Read(ref s_global);

    /// <summary>Replaces the global settings with <paramref name="update"/> applied to them.</summary>
    public static void Configure(Func<DspySettings, DspySettings> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        DspySettings current, next;
        do
        {
            current = Volatile.Read(ref s_global);
            next = update(current);
        }
        while (Interlocked.CompareExchange(ref s_global, next, current) != current);
    }

    /// <summary>DSPy's <c>dspy.configure(lm=..., adapter=...)</c>: sets the given values globally; null leaves a value unchanged.</summary>
    public static void Configure(BaseLM? lm = null, Adapter? adapter = null, bool? trackUsage = null, int? numThreads = null)
        => Configure(s => s with
        {
            Lm = lm ?? s.Lm,
            Adapter = adapter ?? s.Adapter,
            TrackUsage = trackUsage ?? s.TrackUsage,
            NumThreads = numThreads ?? s.NumThreads,
        });

    /// <summary>Overrides the settings until the returned scope is disposed (DSPy's <c>with dspy.context(...)</c>).</summary>
    public static IDisposable Context(Func<DspySettings, DspySettings> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var previous = s_scoped.Value;
        s_scoped.Value = update(Current);
        return new Scope(previous);
    }

    /// <summary>Overrides the LM and/or adapter until the scope is disposed; null leaves a value unchanged.</summary>
    public static IDisposable Context(BaseLM? lm = null, Adapter? adapter = null)
        => Context(s => s with { Lm = lm ?? s.Lm, Adapter = adapter ?? s.Adapter });

    /// <summary>Resets the global settings to DSPy's defaults (for tests and hosts that reconfigure).</summary>
    public static void Reset() => Volatile.Write(ref s_global, new DspySettings());

    private sealed class Scope(DspySettings? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            s_scoped.Value = previous;
        }
    }
}
