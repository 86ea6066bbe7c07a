namespace Dspy;

/// <summary>DSPy's <c>settings.trace</c>: a thread-safe list of predictor calls capped by <c>max_trace_size</c> (oldest dropped first).</summary>
public sealed class TraceLog : CappedLog<TraceStep>
{
    /// <summary>A snapshot of the steps in order.</summary>
    public IReadOnlyList<TraceStep> Steps => Items;
}
