namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.configure</c> and <c>dspy.context</c>. <c>Configure</c> changes the global settings;
/// <c>Context</c> overrides them for the current async flow (an <see cref="AsyncLocal{T}"/>), which reaches every
/// task started inside it (<c>Task.Run</c>, <c>Parallel.ForEachAsync</c>, <c>Evaluate</c> workers ...).
/// </summary>
/// <remarks>
/// <para>
/// Owner rule (DSPy: "only the thread that first called configure may call it again"). .NET async code hops threads,
/// so ownership belongs to an async flow instead of a thread: the flow that first calls <c>Configure</c>, and tasks it
/// starts, may reconfigure; any other flow, and every <c>Evaluate</c> worker, gets an
/// <see cref="InvalidOperationException"/> with DSPy's message and should use <see cref="Context(Func{DspySettings, DspySettings})"/>.
/// Call <c>Configure</c> at the top of <c>Main</c> (not inside an async helper method: .NET undoes async-local changes
/// when an async method returns, so the caller would not be the owner). <see cref="Reset"/> clears the owner.
/// </para>
/// <para>
/// A context captures the settings in effect when it is entered; a later <c>Configure</c> is not seen inside it
/// (DSPy re-reads non-overridden keys from the global settings).
/// </para>
/// </remarks>
public static class Settings
{
    private static readonly SettingsStore s_store = new();

    /// <summary>The settings in effect here: the innermost context, else the global settings.</summary>
    public static DspySettings Current => s_store.Current;

    /// <summary>Replaces the global settings with <paramref name="update"/> applied to them.</summary>
    /// <exception cref="InvalidOperationException">Another async flow configured the settings first.</exception>
    public static void Configure(Func<DspySettings, DspySettings> update) => s_store.Configure(update);

    /// <summary>DSPy's <c>dspy.configure(lm=..., adapter=...)</c>: sets the given values globally; null leaves a value unchanged.</summary>
    /// <exception cref="InvalidOperationException">Another async flow configured the settings first.</exception>
    public static void Configure(BaseLM? lm = null, Adapter? adapter = null, bool? trackUsage = null, int? numThreads = null,
        int? maxErrors = null, IReadOnlyList<IDspyCallback>? callbacks = null)
        => Configure(s => s with
        {
            Lm = lm ?? s.Lm,
            Adapter = adapter ?? s.Adapter,
            TrackUsage = trackUsage ?? s.TrackUsage,
            NumThreads = numThreads ?? s.NumThreads,
            MaxErrors = maxErrors ?? s.MaxErrors,
            Callbacks = callbacks ?? s.Callbacks,
        });

    /// <summary>Overrides the settings until the returned scope is disposed (DSPy's <c>with dspy.context(...)</c>).</summary>
    public static IDisposable Context(Func<DspySettings, DspySettings> update) => s_store.Context(update);

    /// <summary>Overrides the LM and/or adapter until the scope is disposed; null leaves a value unchanged.</summary>
    public static IDisposable Context(BaseLM? lm = null, Adapter? adapter = null)
        => Context(s => s with { Lm = lm ?? s.Lm, Adapter = adapter ?? s.Adapter });

    /// <summary>
    /// DSPy's <c>dspy.track_usage()</c>: installs a fresh <see cref="UsageTracker"/> until the scope is disposed.
    /// <code>using var usage = Settings.TrackUsage(); await program.CallAsync(...); var total = usage.GetTotalTokens();</code>
    /// </summary>
    public static UsageTrackingScope TrackUsage()
    {
        var tracker = new UsageTracker();
        return new UsageTrackingScope(tracker, Context(s => s with { UsageTracker = tracker }));
    }

    /// <summary>Resets the global settings to DSPy's defaults and forgets the owner (for tests and hosts that reconfigure).</summary>
    public static void Reset() => s_store.Reset();

    /// <summary>Marks the current flow as a parallel worker: it may read settings and enter contexts but not <c>Configure</c>.</summary>
    internal static void MarkWorkerFlow() => s_store.MarkWorkerFlow();
}
