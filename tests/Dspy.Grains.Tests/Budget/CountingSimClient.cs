using Microsoft.Extensions.AI;

namespace Dspy.Grains.Tests.Budget;

/// <summary>
/// The simulated LM of one silo, counting the requests it really sends: all of them, by the compile-run phase of the
/// calling flow (the run's ledger installed there), and the LM requests sent while a run budget with limits was installed
/// in the calling flow (the calls a run's budget must cover).
/// </summary>
internal sealed class CountingSimClient(SimOptions? options = null) : IChatClient
{
    private readonly SimChatClient _inner = options is null ? new() : new(options);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _byPhase = new(StringComparer.Ordinal);
    private long _requests, _budgeted, _budgetedProposals;

    public long Requests => Interlocked.Read(ref _requests);

    public long Budgeted => Interlocked.Read(ref _budgeted);

    /// <summary>Requests sent by the flow of a compile run's phase (none: outside a run), by phase.</summary>
    public IReadOnlyDictionary<string, long> ByPhase => new Dictionary<string, long>(_byPhase, StringComparer.Ordinal);

    /// <summary>Budgeted requests of an instruction proposer (COPRO's, made by the optimizer in the run grain, not by a shard).</summary>
    public long BudgetedProposals => Interlocked.Read(ref _budgetedProposals);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _requests);
        var ledger = LMBudget.Current?.Ledger as ClusterLMBudgetLedger;
        _byPhase.AddOrUpdate(ledger?.Phase ?? "none", 1, (_, n) => n + 1);
        // The n generations of one LM request reach the client as n requests (choice_index 0..n-1), and a budget counts
        // n calls for it, so every request sent under a budget is counted.
        if (ledger is { Charged: true })
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
