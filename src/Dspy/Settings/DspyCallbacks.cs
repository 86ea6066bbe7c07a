using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// Runs <see cref="IDspyCallback"/> hooks around a call, as DSPy's <c>with_callbacks</c> decorator does: the global
/// callbacks then the instance's, a fresh call id, the parent call id restored afterwards, and end hooks that see the
/// outputs or the exception. LM, adapter and tool implementations use <see cref="RunAsync{T}"/> too.
/// </summary>
public static class DspyCallbacks
{
    private static readonly AsyncLocal<string?> s_activeCallId = new();

    /// <summary>The id of the innermost call with callbacks running in this flow (DSPy's <c>ACTIVE_CALL_ID</c>), or null.</summary>
    public static string? ActiveCallId => s_activeCallId.Value;

    /// <summary>
    /// Runs <paramref name="body"/> between the start and end hooks of <paramref name="kind"/> for the global callbacks
    /// and <paramref name="instanceCallbacks"/>. Without callbacks it just runs the body.
    /// </summary>
    public static async Task<T> RunAsync<T>(CallbackKind kind, object instance, IEnumerable<IDspyCallback>? instanceCallbacks,
        IReadOnlyDictionary<string, object?> inputs, Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(body);
        var callbacks = Active(instanceCallbacks);
        if (callbacks.Count == 0) return await body();

        var callId = Guid.NewGuid().ToString("N");
        foreach (var cb in callbacks) Safe(cb, c => Start(c, kind, callId, instance, inputs));

        var parent = s_activeCallId.Value;
        s_activeCallId.Value = callId;
        T? result = default;
        Exception? error = null;
        try
        {
            result = await body();
            return result;
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            s_activeCallId.Value = parent;
            foreach (var cb in callbacks) Safe(cb, c => End(c, kind, callId, error is null ? result : null, error));
        }
    }

    /// <summary>The callbacks that apply to an instance: the global ones first, then the instance's own.</summary>
    public static IReadOnlyList<IDspyCallback> Active(IEnumerable<IDspyCallback>? instanceCallbacks)
    {
        var global = Settings.Current.Callbacks;
        if (instanceCallbacks is null) return global;
        var own = instanceCallbacks as IReadOnlyCollection<IDspyCallback> ?? instanceCallbacks.ToList();
        if (own.Count == 0) return global;
        return [.. global, .. own];
    }

    private static void Start(IDspyCallback c, CallbackKind kind, string id, object instance, IReadOnlyDictionary<string, object?> inputs)
    {
        switch (kind)
        {
            case CallbackKind.Module: c.OnModuleStart(id, instance, inputs); break;
            case CallbackKind.Lm: c.OnLmStart(id, instance, inputs); break;
            case CallbackKind.AdapterFormat: c.OnAdapterFormatStart(id, instance, inputs); break;
            case CallbackKind.AdapterParse: c.OnAdapterParseStart(id, instance, inputs); break;
            case CallbackKind.Tool: c.OnToolStart(id, instance, inputs); break;
            case CallbackKind.Evaluate: c.OnEvaluateStart(id, instance, inputs); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static void End(IDspyCallback c, CallbackKind kind, string id, object? outputs, Exception? error)
    {
        switch (kind)
        {
            case CallbackKind.Module: c.OnModuleEnd(id, outputs, error); break;
            case CallbackKind.Lm: c.OnLmEnd(id, outputs, error); break;
            case CallbackKind.AdapterFormat: c.OnAdapterFormatEnd(id, outputs, error); break;
            case CallbackKind.AdapterParse: c.OnAdapterParseEnd(id, outputs, error); break;
            case CallbackKind.Tool: c.OnToolEnd(id, outputs, error); break;
            case CallbackKind.Evaluate: c.OnEvaluateEnd(id, outputs, error); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // DSPy logs and swallows callback failures so instrumentation never breaks a program.
    private static void Safe(IDspyCallback callback, Action<IDspyCallback> action)
    {
        try
        {
            action(callback);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            DspyLogging.CreateLogger(typeof(DspyCallbacks)).LogWarning(ex, "Error when calling callback {Callback}: {Message}", callback, ex.Message);
        }
    }
}
