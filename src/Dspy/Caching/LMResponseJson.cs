namespace Dspy;

/// <summary>Converts an <see cref="LMResponse"/> to and from JSON for the disk cache (value-model shape, snake_case keys).</summary>
internal static class LMResponseJson
{
    public static string Serialize(LMResponse response)
    {
        var outputs = response.Outputs.Select(o => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["text"] = o.Text,
            ["reasoning_content"] = o.ReasoningContent,
            ["finish_reason"] = o.FinishReason,
            ["tool_calls"] = o.ToolCalls?.Select(t => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = t.Id,
                ["name"] = t.Name,
                ["args"] = t.Args.ToDictionary(kv => kv.Key, kv => ValueModel.FromClr(kv.Value), StringComparer.Ordinal),
            }).ToList(),
        }).ToList();
        var u = response.Usage;
        var doc = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["outputs"] = outputs,
            ["response_model"] = response.ResponseModel,
            ["usage"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["prompt_tokens"] = u.PromptTokens,
                ["completion_tokens"] = u.CompletionTokens,
                ["total_tokens"] = u.TotalTokens,
                ["calls"] = u.Calls,
                ["cost"] = u.Cost,
                ["details"] = u.Details.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal),
            },
        };
        return PythonJson.Dumps(doc);
    }

    public static LMResponse Deserialize(string json)
    {
        if (ValueModel.ParseJson(json) is not Dictionary<string, object?> doc || doc.GetValueOrDefault("outputs") is not List<object?> outs)
            throw new FormatException("Not a cached LM response.");
        var outputs = new List<LMOutput>(outs.Count);
        foreach (var item in outs)
        {
            if (item is not Dictionary<string, object?> o) throw new FormatException("Not a cached LM output.");
            List<LMToolCall>? calls = null;
            if (o.GetValueOrDefault("tool_calls") is List<object?> tc)
            {
                calls = [];
                foreach (var c in tc.OfType<Dictionary<string, object?>>())
                {
                    calls.Add(new LMToolCall(c.GetValueOrDefault("id") as string, c.GetValueOrDefault("name") as string ?? "",
                        c.GetValueOrDefault("args") as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal)));
                }
            }
            outputs.Add(new LMOutput
            {
                Text = o.GetValueOrDefault("text") as string,
                ReasoningContent = o.GetValueOrDefault("reasoning_content") as string,
                FinishReason = o.GetValueOrDefault("finish_reason") as string,
                ToolCalls = calls,
            });
        }
        var usage = LMUsage.Empty;
        if (doc.GetValueOrDefault("usage") is Dictionary<string, object?> u)
        {
            usage = new LMUsage
            {
                PromptTokens = u.GetValueOrDefault("prompt_tokens") as long? ?? 0,
                CompletionTokens = u.GetValueOrDefault("completion_tokens") as long? ?? 0,
                TotalTokens = u.GetValueOrDefault("total_tokens") as long? ?? 0,
                Calls = u.GetValueOrDefault("calls") as long? ?? 0,
                Cost = u.GetValueOrDefault("cost") switch { double d => d, long l => l, _ => null },
                Details = (u.GetValueOrDefault("details") as Dictionary<string, object?>)?
                    .Where(kv => kv.Value is long).ToDictionary(kv => kv.Key, kv => (long)kv.Value!, StringComparer.Ordinal)
                    ?? new Dictionary<string, long>(StringComparer.Ordinal),
            };
        }
        return new LMResponse { Outputs = outputs, ResponseModel = doc.GetValueOrDefault("response_model") as string, Usage = usage };
    }
}
