namespace Dspy;

/// <summary>
/// Meters the LM usage of one optimizer run: installs a fresh <see cref="UsageTracker"/> for the run's async flow (its
/// parallel workers included) and, when disposed, adds what it saw to the tracker that was active before, so an outer
/// <c>Settings.TrackUsage()</c> scope still sees every call.
/// </summary>
internal sealed class OptimizerUsageScope : IDisposable
{
    private readonly UsageTracker? _outer;
    private readonly IDisposable _context;
    private bool _disposed;

    public OptimizerUsageScope()
    {
        _outer = Settings.Current.UsageTracker;
        _context = Settings.Context(s => s with { UsageTracker = Tracker });
    }

    /// <summary>The run's own tracker.</summary>
    public UsageTracker Tracker { get; } = new();

    /// <summary>The budget used so far.</summary>
    public OptimizerBudget Budget => OptimizerBudget.From(Tracker.GetTotalTokens());

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _context.Dispose();
        if (_outer is null) return;
        foreach (var (model, usage) in Tracker.GetTotalTokens()) _outer.Add(model, usage);
    }
}
