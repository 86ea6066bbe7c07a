using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Dspy.Client.Tests.Sim;

/// <summary>
/// A deterministic test backend: answers "echo: &lt;last user text&gt;" (with the choice index when given), reports token counts
/// of one token per word, and remembers the options it received.
/// </summary>
internal sealed class EchoChatClient : IChatClient
{
    public ConcurrentQueue<ChatOptions?> ReceivedOptions { get; } = new();

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ReceivedOptions.Enqueue(options);
        var list = messages.ToList();
        var last = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var choice = options?.AdditionalProperties?.TryGetValue("choice_index", out var c) == true ? $" #{c}" : "";
        var text = $"echo: {last}{choice}";
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            FinishReason = ChatFinishReason.Stop,
            ModelId = options?.ModelId,
            Usage = new UsageDetails
            {
                InputTokenCount = list.Sum(m => m.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length),
                OutputTokenCount = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
            },
        };
        return Task.FromResult(response);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
