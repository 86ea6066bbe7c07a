namespace Dspy;

/// <summary>
/// DSPy's <c>ParallelExecutor</c> for in-process work: runs items with at most <c>numThreads</c> at once, each in a
/// worker flow that sees the caller's settings context but may not reconfigure the global settings; stops the rest once
/// <c>maxErrors</c> items have failed and throws <see cref="MaxErrorsExceededException"/>. The callbacks run one at a time
/// (under a lock), so callers can aggregate without their own synchronisation. A <see cref="BudgetExceededException"/> is
/// not counted as an item's failure: it stops the other items and is re-thrown.
/// </summary>
internal static class ParallelRunner
{
    public static async Task RunAsync<T>(int count, int numThreads, int maxErrors, Func<int, CancellationToken, Task<T>> body,
        Action<int, T> onSuccess, Action<int, Exception> onFailure, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numThreads, 1);
        var gate = new Lock();
        var errors = new List<Exception>();
        BudgetExceededException? exhausted = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var options = new ParallelOptions { MaxDegreeOfParallelism = numThreads, CancellationToken = stop.Token };
        try
        {
            await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, count), options, async (i, token) =>
            {
                Settings.MarkWorkerFlow();
                T result;
                try
                {
                    result = await body(i, token);
                }
                catch (BudgetExceededException ex)
                {
                    // An exhausted budget is not an item's failure: it stops the whole run (invariant 3).
                    lock (gate) exhausted ??= ex;
                    await stop.CancelAsync();
                    return;
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && token.IsCancellationRequested))
                {
                    lock (gate)
                    {
                        errors.Add(ex);
                        onFailure(i, ex);
                        if (errors.Count >= maxErrors) stop.Cancel();
                    }
                    return;
                }
                lock (gate) onSuccess(i, result);
            });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled because max_errors was reached; reported below.
        }

        lock (gate)
        {
            if (exhausted is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exhausted).Throw();
            if (errors.Count > 0 && errors.Count >= maxErrors) throw new MaxErrorsExceededException(maxErrors, errors.ToList());
        }
        cancellationToken.ThrowIfCancellationRequested();
    }
}
