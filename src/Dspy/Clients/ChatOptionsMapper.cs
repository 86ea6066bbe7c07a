using System.Collections;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// Maps DSPy request kwargs (<c>temperature</c>, <c>max_tokens</c>, <c>top_p</c>, <c>stop</c>, <c>seed</c>,
/// <c>response_format</c>, <c>tools</c>, <c>tool_choice</c> ...) onto Microsoft.Extensions.AI <see cref="ChatOptions"/>.
/// Kwargs without a typed option go into <see cref="ChatOptions.AdditionalProperties"/>, except DSPy-side keys that are
/// never sent: <c>rollout_id</c> (passed only to clients that ask for it, i.e. the simulated LM), <c>cache</c>,
/// <c>n</c> (the LM issues one request per generation), credentials/endpoints and keys starting with <c>dspy_</c>.
/// </summary>
public static class ChatOptionsMapper
{
    /// <summary>Keys that configure the client or DSPy itself and are never sent as request options.</summary>
    public static readonly IReadOnlySet<string> NeverSent = new HashSet<string>(StringComparer.Ordinal)
    {
        "rollout_id", "cache", "n", "api_key", "api_base", "base_url", "api_version", "num_retries",
    };

    /// <summary>The key carrying the index of the generation among <c>n</c> (see <c>LM</c>).</summary>
    public const string ChoiceIndexKey = "choice_index";

    /// <summary>Builds the options for one request to <paramref name="modelName"/>.</summary>
    public static ChatOptions ToChatOptions(IReadOnlyDictionary<string, object?> kwargs, string? modelName, bool passRolloutId)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        var options = new ChatOptions { ModelId = string.IsNullOrEmpty(modelName) ? null : modelName };
        foreach (var (key, value) in kwargs)
        {
            if (key.StartsWith("dspy_", StringComparison.Ordinal)) continue;
            if (key == "rollout_id")
            {
                if (passRolloutId && value is not null) Extra(options)["rollout_id"] = value;
                continue;
            }
            if (NeverSent.Contains(key) || value is null) continue;
            switch (key)
            {
                case "temperature": options.Temperature = (float)ToDouble(key, value); break;
                case "max_tokens" or "max_completion_tokens": options.MaxOutputTokens = checked((int)ToLong(key, value)); break;
                case "top_p": options.TopP = (float)ToDouble(key, value); break;
                case "top_k": options.TopK = checked((int)ToLong(key, value)); break;
                case "frequency_penalty": options.FrequencyPenalty = (float)ToDouble(key, value); break;
                case "presence_penalty": options.PresencePenalty = (float)ToDouble(key, value); break;
                case "seed": options.Seed = ToLong(key, value); break;
                case "stop": options.StopSequences = value is string s ? [s] : [.. ((IEnumerable)value).Cast<object?>().Select(x => Convert.ToString(x, CultureInfo.InvariantCulture) ?? "")]; break;
                case "response_format": ApplyResponseFormat(options, value); break;
                case "tools": options.Tools = [.. ((IEnumerable)value).Cast<object?>().Select(ToTool)]; break;
                case "tool_choice": options.ToolMode = ToToolMode(value); break;
                case "parallel_tool_calls": options.AllowMultipleToolCalls = value is true; break;
                case "reasoning_effort" when ToEffort(value) is { } effort: options.Reasoning = new ReasoningOptions { Effort = effort }; break;
                default: Extra(options)[key] = value; break;
            }
        }
        return options;
    }

    private static AdditionalPropertiesDictionary Extra(ChatOptions o) => o.AdditionalProperties ??= [];

    private static double ToDouble(string key, object value) => value switch
    {
        double d => d,
        float f => f,
        long or int or decimal or short => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new LMConfigurationError($"'{key}' must be a number, got {PythonRepr.Repr(value)}."),
    };

    private static long ToLong(string key, object value) => value switch
    {
        long l => l,
        int i => i,
        double d when d == Math.Floor(d) => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => throw new LMConfigurationError($"'{key}' must be an integer, got {PythonRepr.Repr(value)}."),
    };

    private static ReasoningEffort? ToEffort(object value) => (value as string)?.ToLowerInvariant() switch
    {
        "none" => ReasoningEffort.None,
        "low" => ReasoningEffort.Low,
        "medium" => ReasoningEffort.Medium,
        "high" => ReasoningEffort.High,
        "xhigh" => ReasoningEffort.ExtraHigh,
        _ => null,
    };

    /// <summary>Converts a value-model value (dictionary, list ...) to a <see cref="JsonElement"/>.</summary>
    public static JsonElement ToJsonElement(object? value)
    {
        using var doc = JsonDocument.Parse(PythonJson.Dumps(value));
        return doc.RootElement.Clone();
    }

    private static void ApplyResponseFormat(ChatOptions options, object value)
    {
        switch (value)
        {
            case ChatResponseFormat f:
                options.ResponseFormat = f;
                return;
            case Type t:
                options.ResponseFormat = ChatResponseFormat.ForJsonSchema(t, DspyJson.Options, t.Name);
                return;
        }
        if (ValueModel.FromClr(value) is not Dictionary<string, object?> rf)
            throw new LMConfigurationError($"response_format must be a dictionary like {{\"type\": \"json_object\"}}, got {PythonRepr.Repr(value)}.");
        switch (rf.GetValueOrDefault("type") as string)
        {
            case "text":
                options.ResponseFormat = ChatResponseFormat.Text;
                break;
            case "json_object":
                options.ResponseFormat = ChatResponseFormat.Json;
                break;
            case "json_schema":
                var js = rf.GetValueOrDefault("json_schema") as Dictionary<string, object?>
                    ?? throw new LMConfigurationError("response_format of type json_schema needs a 'json_schema' dictionary.");
                var schema = js.GetValueOrDefault("schema") ?? throw new LMConfigurationError("response_format json_schema needs a 'schema'.");
                options.ResponseFormat = ChatResponseFormat.ForJsonSchema(ToJsonElement(schema), js.GetValueOrDefault("name") as string,
                    js.GetValueOrDefault("description") as string);
                // Microsoft.Extensions.AI.OpenAI reads strict mode from this key.
                if (js.GetValueOrDefault("strict") is bool strict) Extra(options)["strict"] = strict;
                break;
            default:
                throw new LMConfigurationError($"Unsupported response_format type {PythonRepr.Repr(rf.GetValueOrDefault("type"))}.");
        }
    }

    private static AITool ToTool(object? value)
    {
        if (value is AITool tool) return tool;
        if (ValueModel.FromClr(value) is not Dictionary<string, object?> d)
            throw new LMConfigurationError($"Each tool must be an OpenAI-style dictionary, got {PythonRepr.Repr(value)}.");
        var fn = d.GetValueOrDefault("function") as Dictionary<string, object?> ?? d;
        var name = fn.GetValueOrDefault("name") as string ?? throw new LMConfigurationError("A tool needs a 'name'.");
        var parameters = fn.GetValueOrDefault("parameters")
            ?? new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = "object", ["properties"] = new Dictionary<string, object?>() };
        return AIFunctionFactory.CreateDeclaration(name, fn.GetValueOrDefault("description") as string, ToJsonElement(parameters));
    }

    private static ChatToolMode? ToToolMode(object value) => value switch
    {
        ChatToolMode m => m,
        "auto" => ChatToolMode.Auto,
        "none" => ChatToolMode.None,
        "required" or "any" => ChatToolMode.RequireAny,
        _ when ValueModel.FromClr(value) is Dictionary<string, object?> d
               && (d.GetValueOrDefault("function") as Dictionary<string, object?>)?.GetValueOrDefault("name") is string name
            => ChatToolMode.RequireSpecific(name),
        _ => throw new LMConfigurationError($"Unsupported tool_choice {PythonRepr.Repr(value)}."),
    };
}
