namespace Dspy.Grains;

/// <summary>
/// Runs a creation step (a table's or container's <c>CreateIfNotExists</c>) once per process: callers share the pending
/// attempt, and a failed or cancelled attempt is forgotten, so storage that was not reachable yet is tried again.
/// </summary>
internal sealed class CreateOnce(Func<CancellationToken, Task> create)
{
    private readonly Lock _lock = new();
    private Task? _attempt;

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task attempt;
        lock (_lock)
        {
            // Not cancelled by one caller's token: other callers may be waiting on the same attempt.
            if (_attempt is null || _attempt.IsFaulted || _attempt.IsCanceled) _attempt = create(CancellationToken.None);
            attempt = _attempt;
        }
        return attempt.IsCompletedSuccessfully ? Task.CompletedTask : attempt.WaitAsync(cancellationToken);
    }
}
