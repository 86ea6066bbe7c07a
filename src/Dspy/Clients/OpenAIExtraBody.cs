using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// Sends the kwargs that have no typed <see cref="ChatOptions"/> member (e.g. <c>logprobs</c>, <c>user</c>,
/// <c>reasoning_effort: "minimal"</c>) in the OpenAI request body: Microsoft.Extensions.AI.OpenAI keeps
/// <see cref="ChatOptions.AdditionalProperties"/> off the wire, so they are written through the OpenAI SDK's JSON patch on
/// a provider-native options object (<see cref="ChatOptions.RawRepresentationFactory"/>).
/// </summary>
internal static class OpenAIExtraBody
{
    // Keys that are Microsoft.Extensions.AI metadata rather than request fields.
    private static readonly HashSet<string> s_notBody = new(StringComparer.Ordinal) { "strict", "rollout_id", ChatOptionsMapper.ChoiceIndexKey };

    public static void Attach(ChatOptions options, bool includeChoiceIndex)
    {
        var extras = options.AdditionalProperties?
            .Where(kv => !s_notBody.Contains(kv.Key) || (includeChoiceIndex && kv.Key == ChatOptionsMapper.ChoiceIndexKey))
            .Select(kv => (kv.Key, Json: PythonJson.Dumps(kv.Value)))
            .ToList();
        if (extras is not { Count: > 0 })
        {
            options.RawRepresentationFactory = null;
            return;
        }
        options.RawRepresentationFactory = _ =>
        {
            var native = new OpenAI.Chat.ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is marked experimental; it is the SDK's supported way to add body fields.
            foreach (var (key, json) in extras) native.Patch.Set(System.Text.Encoding.UTF8.GetBytes("$." + key), BinaryData.FromString(json));
#pragma warning restore SCME0001
            return native;
        };
    }
}
