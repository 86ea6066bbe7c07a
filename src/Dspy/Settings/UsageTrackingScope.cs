namespace Dspy;

/// <summary>
/// DSPy's <c>with dspy.track_usage() as tracker:</c>: a fresh <see cref="UsageTracker"/> installed in a settings context
/// until disposed. Created by <see cref="Settings.TrackUsage"/>.
/// </summary>
public sealed class UsageTrackingScope : IDisposable
{
    private readonly IDisposable _context;

    internal UsageTrackingScope(UsageTracker tracker, IDisposable context)
    {
        Tracker = tracker;
        _context = context;
    }

    /// <summary>The tracker collecting usage inside the scope.</summary>
    public UsageTracker Tracker { get; }

    /// <summary>Usage per model so far.</summary>
    public IReadOnlyDictionary<string, LMUsage> GetTotalTokens() => Tracker.GetTotalTokens();

    /// <summary>Restores the previous settings.</summary>
    public void Dispose() => _context.Dispose();
}
