using System.Globalization;

namespace Dspy;

/// <summary>What <see cref="BestOfN"/> and <see cref="Refine"/> share: LM resolution, rollout ids and trace hand-over.</summary>
internal static class Sampling
{
    /// <summary>DSPy's <c>module.get_lm() or settings.lm</c>.</summary>
    public static BaseLM ResolveLm(Module module) =>
        module.GetLm() ?? Settings.Current.Lm
        ?? throw new InvalidOperationException("No LM is loaded. Please configure the LM using `dspy.configure(lm=dspy.LM(...))`.");

    /// <summary>DSPy's <c>lm.kwargs.get("rollout_id", 0)</c>.</summary>
    public static long StartRolloutId(BaseLM lm) =>
        lm.Kwargs.TryGetValue("rollout_id", out var r) && r is not null ? Convert.ToInt64(r, CultureInfo.InvariantCulture) : 0L;

    /// <summary>The overrides of attempt <paramref name="rolloutId"/>: <c>rollout_id=rid, temperature=1.0</c>.</summary>
    public static Dictionary<string, object?> RolloutKwargs(long rolloutId) => new(StringComparer.Ordinal)
    {
        ["rollout_id"] = rolloutId,
        ["temperature"] = 1.0,
    };

    /// <summary>Adds the chosen attempt's trace to the caller's trace (DSPy: <c>if best_trace: settings.trace.extend(best_trace)</c>).</summary>
    public static void ExtendTrace(IReadOnlyList<TraceStep>? trace)
    {
        if (trace is null || trace.Count == 0) return;
        var settings = Settings.Current;
        foreach (var step in trace) settings.Trace.Add(step, settings.MaxTraceSize);
    }
}
