namespace Dspy.Tests.TestDoubles;

/// <summary>Records every callback hook as a line of text, plus the ids and the active parent id at start.</summary>
public sealed class RecordingCallback : IDspyCallback
{
    private readonly Lock _lock = new();

    public List<string> Events { get; } = [];

    public List<(string Kind, string CallId, string? ParentId, object? Payload, Exception? Error)> Records { get; } = [];

    public void OnModuleStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) =>
        Add("module_start", callId, instance.GetType().Name, inputs, null);

    public void OnModuleEnd(string callId, object? outputs, Exception? exception) => Add("module_end", callId, null, outputs, exception);

    public void OnEvaluateStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) =>
        Add("evaluate_start", callId, instance.GetType().Name, inputs, null);

    public void OnEvaluateEnd(string callId, object? outputs, Exception? exception) => Add("evaluate_end", callId, null, outputs, exception);

    private void Add(string kind, string callId, string? name, object? payload, Exception? error)
    {
        lock (_lock)
        {
            Events.Add(name is null ? kind : $"{kind}:{name}");
            Records.Add((kind, callId, DspyCallbacks.ActiveCallId, payload, error));
        }
    }
}
