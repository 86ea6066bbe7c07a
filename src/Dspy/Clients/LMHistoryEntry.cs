using System.Globalization;

namespace Dspy;

/// <summary>
/// One recorded LM call, with DSPy's history keys: <c>prompt</c>, <c>messages</c>, <c>kwargs</c> (without <c>api_*</c>),
/// <c>response</c>, <c>outputs</c>, <c>usage</c>, <c>cost</c>, <c>timestamp</c>, <c>uuid</c>, <c>model</c>,
/// <c>response_model</c>, <c>model_type</c>.
/// </summary>
public sealed record LMHistoryEntry
{
    /// <summary>The plain prompt, when the call was made with one (null for message calls).</summary>
    public string? Prompt { get; init; }

    /// <summary>The messages in DSPy's shape (<see cref="MessageRendering"/>).</summary>
    public required IReadOnlyList<object?> Messages { get; init; }

    /// <summary>The merged request kwargs, without <c>api_*</c> keys.</summary>
    public required IReadOnlyDictionary<string, object?> Kwargs { get; init; }

    /// <summary>The response.</summary>
    public required LMResponse Response { get; init; }

    /// <summary>The outputs in DSPy's shape: a string per generation, or a dictionary when it has tool calls or reasoning.</summary>
    public required IReadOnlyList<object?> Outputs { get; init; }

    /// <summary>Token usage (empty on a cache hit).</summary>
    public LMUsage Usage => Response.Usage;

    /// <summary>Cost in USD, when known (null on a cache hit).</summary>
    public double? Cost => Response.CacheHit ? null : Response.Usage.Cost;

    /// <summary>When the call finished (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>A unique id of the entry.</summary>
    public required string Uuid { get; init; }

    /// <summary>The LM's model string.</summary>
    public required string Model { get; init; }

    /// <summary>The model the provider says answered.</summary>
    public string? ResponseModel => Response.ResponseModel;

    /// <summary>The LM's model type (<c>chat</c> ...).</summary>
    public required string ModelType { get; init; }

    /// <summary>The timestamp in Python's <c>datetime.isoformat()</c> layout.</summary>
    public string TimestampText => Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>The entry as a value-model dictionary with DSPy's keys.</summary>
    public Dictionary<string, object?> ToDictionary() => new(StringComparer.Ordinal)
    {
        ["prompt"] = Prompt,
        ["messages"] = Messages.ToList(),
        ["kwargs"] = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal),
        ["response"] = Response,
        ["outputs"] = Outputs.ToList(),
        ["usage"] = UsageDictionary(Usage),
        ["cost"] = Cost,
        ["timestamp"] = TimestampText,
        ["uuid"] = Uuid,
        ["model"] = Model,
        ["response_model"] = ResponseModel,
        ["model_type"] = ModelType,
    };

    /// <summary>
    /// DSPy's usage dictionary: <c>prompt_tokens</c>, <c>completion_tokens</c>, <c>total_tokens</c> and nested detail counts
    /// (<c>prompt_tokens_details: {cached_tokens}</c>, <c>completion_tokens_details: {reasoning_tokens}</c>); empty for no usage.
    /// </summary>
    public static Dictionary<string, object?> UsageDictionary(LMUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (usage == LMUsage.Empty || (usage.Calls == 0 && usage.TotalTokens == 0 && usage.PromptTokens == 0)) return d;
        d["prompt_tokens"] = usage.PromptTokens;
        d["completion_tokens"] = usage.CompletionTokens;
        d["total_tokens"] = usage.TotalTokens;
        // Detail keys are "group.name" (e.g. "prompt_tokens_details.cached_tokens"); DSPy nests them.
        foreach (var (k, v) in usage.Details)
        {
            var dot = k.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                d[k] = v;
                continue;
            }
            if (d.GetValueOrDefault(k[..dot]) is not Dictionary<string, object?> group)
                d[k[..dot]] = group = new Dictionary<string, object?>(StringComparer.Ordinal);
            group[k[(dot + 1)..]] = v;
        }
        return d;
    }

    /// <summary>The DSPy output shape of one generation.</summary>
    public static object? OutputValue(LMOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.ToolCalls is not { Count: > 0 } && output.ReasoningContent is null) return output.Text ?? "";
        var d = new Dictionary<string, object?>(StringComparer.Ordinal) { ["text"] = output.Text };
        if (output.ReasoningContent is not null) d["reasoning_content"] = output.ReasoningContent;
        if (output.ToolCalls is { Count: > 0 } calls)
        {
            d["tool_calls"] = calls.Select(c => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = c.Id,
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["name"] = c.Name,
                    ["arguments"] = PythonJson.Dumps(c.Args.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)),
                },
            }).ToList();
        }
        return d;
    }
}
