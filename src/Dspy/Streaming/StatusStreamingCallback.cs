using System.Collections.Concurrent;

namespace Dspy;

/// <summary>
/// DSPy's <c>StatusStreamingCallback</c>: turns module, LM and tool callbacks into <see cref="StatusMessage"/>s through
/// a <see cref="StatusMessageProvider"/>. ReAct's <c>finish</c> tool gets no messages (its end is recognised by call id,
/// not by its "Completed." result as in DSPy, so a user tool returning that text still gets one).
/// </summary>
internal sealed class StatusStreamingCallback(StatusMessageProvider provider, StreamSession session) : IDspyCallback
{
    private readonly ConcurrentDictionary<string, byte> _silentCalls = new(StringComparer.Ordinal);

    public void OnToolStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs)
    {
        if (instance is not Tool tool) return;
        if (tool.Name == ReAct.FinishToolName)
        {
            _silentCalls.TryAdd(callId, 0);
            return;
        }
        Send(provider.ToolStartStatusMessage(tool, inputs));
    }

    public void OnToolEnd(string callId, object? outputs, Exception? exception)
    {
        if (_silentCalls.TryRemove(callId, out _)) return;
        Send(provider.ToolEndStatusMessage(outputs));
    }

    public void OnModuleStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs)
    {
        if (instance is Module module) Send(provider.ModuleStartStatusMessage(module, inputs));
    }

    public void OnModuleEnd(string callId, object? outputs, Exception? exception) => Send(provider.ModuleEndStatusMessage(outputs));

    public void OnLmStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs)
    {
        if (instance is BaseLM lm) Send(provider.LmStartStatusMessage(lm, inputs));
    }

    public void OnLmEnd(string callId, object? outputs, Exception? exception) => Send(provider.LmEndStatusMessage(outputs));

    private void Send(string? message)
    {
        if (!string.IsNullOrEmpty(message)) session.Write(new StatusMessage(message));
    }
}
