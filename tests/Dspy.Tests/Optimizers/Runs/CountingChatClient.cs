using Microsoft.Extensions.AI;

namespace Dspy.Tests.Optimizers.Runs;

/// <summary>
/// The simulated LM behind a counter: every request that reaches it (a provider call) is counted with its reported tokens,
/// and each waits a little so concurrent callers really overlap.
/// </summary>
internal sealed class CountingChatClient(IChatClient? inner = null) : IChatClient
{
    private readonly IChatClient _inner = inner ?? new SimChatClient();
    private long _requests, _tokens;

    public long Requests => Interlocked.Read(ref _requests);

    public long Tokens => Interlocked.Read(ref _tokens);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _requests);
        await Task.Delay(1, cancellationToken);
        var response = await _inner.GetResponseAsync(messages, options, cancellationToken);
        Interlocked.Add(ref _tokens, response.Usage?.TotalTokenCount ?? 0);
        return response;
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => _inner.GetService(serviceType, serviceKey);

    public void Dispose() => _inner.Dispose();
}
