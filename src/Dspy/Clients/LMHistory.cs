namespace Dspy;

/// <summary>
/// DSPy's <c>GLOBAL_HISTORY</c> (every LM call in the process, capped at 10,000) and <c>dspy.inspect_history</c>.
/// </summary>
public static class LMHistory
{
    /// <summary>DSPy's cap of the global history.</summary>
    public const int MaxGlobalHistorySize = 10_000;

    /// <summary>The global history.</summary>
    public static LMHistoryLog Global { get; } = new();

    /// <summary>Prints the last <paramref name="n"/> calls of the global history (DSPy's <c>dspy.inspect_history</c>).</summary>
    public static void InspectHistory(int n = 1, TextWriter? writer = null) => HistoryPrinter.Print(Global.Entries, n, writer);
}
