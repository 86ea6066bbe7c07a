using Microsoft.Extensions.AI;

namespace Dspy;

public sealed partial class LM
{
    /// <summary>
    /// The streaming path, taken only inside <see cref="Streaming.Streamify"/>: the request goes through
    /// <see cref="IChatClient.GetStreamingResponseAsync"/>, each update is passed on to the stream as it arrives, and the
    /// updates are combined into the same <see cref="ChatResponse"/> the non-streaming call would give, so caching (same
    /// key), usage, history and parsing do not change. A cache hit never gets here, so it streams nothing (as in DSPy).
    /// </summary>
    private static async Task<ChatResponse> StreamOnceAsync(IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions options,
        LMStreamWriter stream, CancellationToken cancellationToken)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).WithCancellation(cancellationToken))
        {
            updates.Add(update);
            stream.Publish(update);
        }
        stream.Complete();
        return updates.ToChatResponse();
    }
}
