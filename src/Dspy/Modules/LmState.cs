using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// Converts a predictor's LM to and from DSPy's saved <c>"lm"</c> state. The LM classes live in another part of the
/// library, so this goes through small seams: an LM type's public <c>DumpState()</c> instance method when it has one,
/// and for loading <see cref="Loader"/> or else a public static <c>LoadState(IReadOnlyDictionary&lt;string, object?&gt;)</c>
/// on <c>Dspy.LM</c> or <see cref="BaseLM"/>.
/// </summary>
public static class LmState
{
    /// <summary>LM keys DSPy drops on load unless unsafe LM state is allowed (they redirect requests).</summary>
    public static IReadOnlySet<string> UnsafeKeys { get; } = new HashSet<string>(["api_base", "base_url", "model_list"], StringComparer.Ordinal);

    /// <summary>Builds an LM from saved state; when null, a static <c>LoadState</c> method is looked up by reflection.</summary>
    public static Func<IReadOnlyDictionary<string, object?>, BaseLM>? Loader { get; set; }

    /// <summary>
    /// The LM's state: its own <c>DumpState()</c> if the LM type has one, else <c>{"model", "model_type", **kwargs}</c>
    /// without <c>api_key</c>.
    /// </summary>
    public static Dictionary<string, object?> Dump(BaseLM lm)
    {
        ArgumentNullException.ThrowIfNull(lm);
        var method = lm.GetType().GetMethod("DumpState", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (method is not null && ValueModel.FromClr(method.Invoke(lm, null)) is Dictionary<string, object?> dumped) return dumped;

        var state = new Dictionary<string, object?>(StringComparer.Ordinal) { ["model"] = lm.Model, ["model_type"] = lm.ModelType };
        foreach (var (k, v) in lm.Kwargs)
        {
            if (k != "api_key") state[k] = ValueModel.FromClr(v);
        }
        return state;
    }

    /// <summary>Rebuilds an LM from saved state, dropping <see cref="UnsafeKeys"/> unless <paramref name="allowUnsafeLmState"/>.</summary>
    /// <exception cref="NotSupportedException">No LM loader is available.</exception>
    public static BaseLM Load(IReadOnlyDictionary<string, object?> state, bool allowUnsafeLmState = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!allowUnsafeLmState)
        {
            var unsafeKeys = state.Keys.Where(UnsafeKeys.Contains).Order(StringComparer.Ordinal).ToList();
            if (unsafeKeys.Count > 0)
            {
                DspyLogging.CreateLogger(typeof(LmState)).LogWarning(
                    "Ignoring unsafe LM config key(s) during state load: {Keys}. Pass allow_unsafe_lm_state=True to preserve these keys for trusted files.",
                    PythonRepr.Repr(unsafeKeys.Cast<object?>().ToList()));
                state = state.Where(kv => !UnsafeKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            }
        }

        if (Loader is { } loader) return loader(state);
        foreach (var type in new[] { typeof(BaseLM).Assembly.GetType("Dspy.LM"), typeof(BaseLM) })
        {
            var method = type?.GetMethod("LoadState", BindingFlags.Public | BindingFlags.Static, [typeof(IReadOnlyDictionary<string, object?>)]);
            if (method is not null && typeof(BaseLM).IsAssignableFrom(method.ReturnType))
            {
                return (BaseLM)method.Invoke(null, [state])!;
            }
        }
        throw new NotSupportedException("The saved state contains an LM, but no LM loader is available. Set LmState.Loader.");
    }
}
