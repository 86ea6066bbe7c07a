namespace Dspy;

/// <summary>One tool call requested by the LM: an id (when the provider gives one), a name and JSON arguments.</summary>
public sealed record LMToolCall(string? Id, string Name, IReadOnlyDictionary<string, object?> Args);

/// <summary>One generation (choice) of an LM call.</summary>
public sealed record LMOutput
{
    /// <summary>The generated text; null when the model only called tools.</summary>
    public string? Text { get; init; }

    /// <summary>Native tool calls, if any.</summary>
    public IReadOnlyList<LMToolCall>? ToolCalls { get; init; }

    /// <summary>Native reasoning text, for reasoning models.</summary>
    public string? ReasoningContent { get; init; }

    /// <summary>The provider's finish reason (<c>stop</c>, <c>length</c>, <c>tool_calls</c> ...).</summary>
    public string? FinishReason { get; init; }
}

/// <summary>The result of one LM request: one output per generation, with usage.</summary>
public sealed record LMResponse
{
    /// <summary>The generations, in order.</summary>
    public required IReadOnlyList<LMOutput> Outputs { get; init; }

    /// <summary>Usage of this request; <see cref="LMUsage.Empty"/> on a cache hit.</summary>
    public LMUsage Usage { get; init; } = LMUsage.Empty;

    /// <summary>The model that actually answered, as the provider reports it.</summary>
    public string? ResponseModel { get; init; }

    /// <summary>True when the response came from the cache.</summary>
    public bool CacheHit { get; init; }
}
