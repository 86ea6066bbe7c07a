using System.Diagnostics;

namespace Dspy;

/// <summary>
/// The <c>Dspy</c> <see cref="ActivitySource"/>: one span per LM call with OpenTelemetry GenAI semantic-convention
/// attributes, so any OpenTelemetry exporter listening to "Dspy" sees model, provider and token counts.
/// </summary>
public static class LMTelemetry
{
    /// <summary>The source name to subscribe to (<see cref="DspyTelemetry.SourceName"/>).</summary>
    public const string SourceName = DspyTelemetry.SourceName;

    /// <summary>The activity source, shared with module and tool spans (<see cref="DspyTelemetry.Source"/>).</summary>
    public static ActivitySource Source => DspyTelemetry.Source;

    internal static Activity? StartCall(string model, string provider, string modelName, IReadOnlyDictionary<string, object?> kwargs)
    {
        var activity = Source.StartActivity($"chat {model}", ActivityKind.Client);
        if (activity is null) return null;
        activity.SetTag("gen_ai.operation.name", "chat");
        activity.SetTag("gen_ai.system", provider);
        activity.SetTag("gen_ai.request.model", string.IsNullOrEmpty(modelName) ? model : modelName);
        if (kwargs.GetValueOrDefault("temperature") is { } t) activity.SetTag("gen_ai.request.temperature", t);
        if ((kwargs.GetValueOrDefault("max_tokens") ?? kwargs.GetValueOrDefault("max_completion_tokens")) is { } m)
            activity.SetTag("gen_ai.request.max_tokens", m);
        return activity;
    }

    internal static void Complete(Activity? activity, LMResponse response)
    {
        if (activity is null) return;
        activity.SetTag("gen_ai.response.model", response.ResponseModel);
        activity.SetTag("gen_ai.usage.input_tokens", response.Usage.PromptTokens);
        activity.SetTag("gen_ai.usage.output_tokens", response.Usage.CompletionTokens);
        activity.SetTag("dspy.cache_hit", response.CacheHit);
    }

    internal static void Fail(Activity? activity, Exception error) => DspyTelemetry.Fail(activity, error);
}
