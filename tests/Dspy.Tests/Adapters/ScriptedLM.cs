using Microsoft.Extensions.AI;

namespace Dspy.Tests.Adapters;

/// <summary>A hand-written LM that replies with queued outputs and records every call (messages and kwargs).</summary>
internal sealed class ScriptedLM : BaseLM
{
    private readonly Queue<IReadOnlyList<LMOutput>> _replies = new();

    public ScriptedLM(params string?[] replies) : base("test/scripted")
    {
        foreach (var r in replies) _replies.Enqueue([new LMOutput { Text = r }]);
    }

    public List<(IReadOnlyList<ChatMessage> Messages, IReadOnlyDictionary<string, object?> Kwargs)> Calls { get; } = [];

    public bool FunctionCalling { get; init; }

    public bool ResponseSchema { get; init; }

    public HashSet<string> Params { get; init; } = [];

    public override bool SupportsFunctionCalling => FunctionCalling;

    public override bool SupportsResponseSchema => ResponseSchema;

    public override IReadOnlySet<string> SupportedParams => Params;

    public void Enqueue(params LMOutput[] outputs) => _replies.Enqueue(outputs);

    public override Task<LMResponse> CallAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default)
    {
        Calls.Add((messages, kwargs ?? new Dictionary<string, object?>()));
        var outputs = _replies.Count > 0 ? _replies.Dequeue() : throw new InvalidOperationException("No more scripted replies.");
        return Task.FromResult(new LMResponse { Outputs = outputs, Usage = new LMUsage { Calls = 1, PromptTokens = 1, CompletionTokens = 1, TotalTokens = 2 } });
    }

    public override BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null) => throw new NotSupportedException();
}
