using Microsoft.Extensions.AI;

namespace Dspy.Grains.Tests.Budget;

/// <summary>
/// The simulated LM of one silo, counting the requests it really sends: all of them, and those sent while an
/// <see cref="LMBudget"/> was installed in the calling flow (the calls a run's budget must cover).
/// </summary>
internal sealed class CountingSimClient(SimOptions? options = null) : IChatClient
{
    private readonly SimChatClient _inner = options is null ? new() : new(options);
    private long _requests, _budgeted;

    public long Requests => Interlocked.Read(ref _requests);

    public long Budgeted => Interlocked.Read(ref _budgeted);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _requests);
        if (LMBudget.Current is not null) Interlocked.Increment(ref _budgeted);
        return _inner.GetResponseAsync(messages, options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => _inner.GetService(serviceType, serviceKey);

    public void Dispose() => _inner.Dispose();
}
