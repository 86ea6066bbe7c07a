namespace Dspy;

/// <summary>
/// DSPy's <c>BaseCallback</c>: instrumentation hooks called in start/end pairs around module, LM, adapter, tool and
/// evaluate calls. Every method has an empty default, so implement only what you need. The <c>callId</c> (32 hex digits,
/// like DSPy's <c>uuid4().hex</c>) connects a start with its end; <see cref="DspyCallbacks.ActiveCallId"/> is the
/// enclosing call's id while a call runs. Exceptions thrown by a callback are logged and ignored.
/// Register callbacks globally (<see cref="DspySettings.Callbacks"/>) or on an instance (<c>Module.Callbacks</c>).
/// </summary>
public interface IDspyCallback
{
    /// <summary>A module call (<c>CallAsync</c>) starts.</summary>
    void OnModuleStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) { }

    /// <summary>A module call ended with <paramref name="outputs"/> or <paramref name="exception"/>.</summary>
    void OnModuleEnd(string callId, object? outputs, Exception? exception) { }

    /// <summary>An LM call starts.</summary>
    void OnLmStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) { }

    /// <summary>An LM call ended.</summary>
    void OnLmEnd(string callId, object? outputs, Exception? exception) { }

    /// <summary>An adapter's <c>Format</c> starts.</summary>
    void OnAdapterFormatStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) { }

    /// <summary>An adapter's <c>Format</c> ended.</summary>
    void OnAdapterFormatEnd(string callId, object? outputs, Exception? exception) { }

    /// <summary>An adapter's <c>Parse</c> starts.</summary>
    void OnAdapterParseStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) { }

    /// <summary>An adapter's <c>Parse</c> ended.</summary>
    void OnAdapterParseEnd(string callId, object? outputs, Exception? exception) { }

    /// <summary>A tool call starts.</summary>
    void OnToolStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) { }

    /// <summary>A tool call ended.</summary>
    void OnToolEnd(string callId, object? outputs, Exception? exception) { }

    /// <summary>An evaluation starts.</summary>
    void OnEvaluateStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) { }

    /// <summary>An evaluation ended.</summary>
    void OnEvaluateEnd(string callId, object? outputs, Exception? exception) { }
}
