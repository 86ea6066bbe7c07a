using Microsoft.Extensions.AI;

namespace Dspy.Grains.Tests.Budget;

/// <summary>
/// The simulated LM of one silo, counting the requests it really sends: all of them, and the LM requests sent while an
/// <see cref="LMBudget"/> was installed in the calling flow (the calls a run's budget must cover).
/// </summary>
internal sealed class CountingSimClient(SimOptions? options = null) : IChatClient
{
    private readonly SimChatClient _inner = options is null ? new() : new(options);
    private long _requests, _budgeted, _budgetedProposals;

    public long Requests => Interlocked.Read(ref _requests);

    public long Budgeted => Interlocked.Read(ref _budgeted);

    /// <summary>Budgeted requests of an instruction proposer (COPRO's, made by the optimizer in the run grain, not by a shard).</summary>
    public long BudgetedProposals => Interlocked.Read(ref _budgetedProposals);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _requests);
        // The n generations of one LM request reach the client as n requests (choice_index 0..n-1), and a budget counts
        // n calls for it, so every request sent under a budget is counted.
        if (LMBudget.Current is not null)
        {
            Interlocked.Increment(ref _budgeted);
            if (messages.Any(m => m.Text.Contains("You are an instruction optimizer", StringComparison.Ordinal))) Interlocked.Increment(ref _budgetedProposals);
        }
        return _inner.GetResponseAsync(messages, options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => _inner.GetService(serviceType, serviceKey);

    public void Dispose() => _inner.Dispose();
}
