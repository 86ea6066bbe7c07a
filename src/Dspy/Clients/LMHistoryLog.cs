namespace Dspy;

/// <summary>A thread-safe, capped list of <see cref="LMHistoryEntry"/> (oldest dropped first), as DSPy's LM histories.</summary>
public sealed class LMHistoryLog : CappedLog<LMHistoryEntry>
{
    /// <summary>A snapshot in call order.</summary>
    public IReadOnlyList<LMHistoryEntry> Entries => Items;
}
