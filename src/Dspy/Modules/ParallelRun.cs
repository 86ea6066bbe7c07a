namespace Dspy;

/// <summary>
/// One execution of <see cref="Parallel"/>: the per-item state (result, error, running attempts) and the two schedules,
/// sequential (one thread) and concurrent with straggler resubmission.
/// </summary>
internal sealed class ParallelRun<TItem, TResult>
{
    private readonly IReadOnlyList<TItem> _items;
    private readonly Func<TItem, CancellationToken, Task<TResult>> _function;
    private readonly int _maxErrors;
    private readonly bool _provideTraceback;
    private readonly Func<TItem, object?> _describe;
    private readonly Lock _gate = new();
    private readonly bool[] _decided;
    private readonly int[] _running;
    private readonly List<Attempt>[] _attempts;
    private readonly List<int> _failedIndices = [];
    private readonly List<Exception> _errorsInOrder = [];
    private int _undecided;

    public ParallelRun(IReadOnlyList<TItem> items, Func<TItem, CancellationToken, Task<TResult>> function, int numThreads, int maxErrors,
        bool provideTraceback, Func<TItem, object?> describe)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numThreads, 1);
        _items = items;
        _function = function;
        NumThreads = numThreads;
        _maxErrors = maxErrors;
        _provideTraceback = provideTraceback;
        _describe = describe;
        Results = new TResult?[items.Count];
        Errors = new Exception?[items.Count];
        _decided = new bool[items.Count];
        _running = new int[items.Count];
        _attempts = Enumerable.Range(0, items.Count).Select(_ => new List<Attempt>()).ToArray();
        _undecided = items.Count;
    }

    public int NumThreads { get; }

    public TResult?[] Results { get; }

    public Exception?[] Errors { get; }

    /// <summary>The failed item indices in input order.</summary>
    public IReadOnlyList<int> FailedIndices
    {
        get
        {
            lock (_gate) return _failedIndices.Order().ToList();
        }
    }

    private bool MaxErrorsReached => _errorsInOrder.Count > 0 && _errorsInOrder.Count >= _maxErrors;

    /// <summary>DSPy's single-thread mode: items run in order in the calling flow.</summary>
    public async Task RunSequentialAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var result = await _function(_items[i], cancellationToken).ConfigureAwait(false);
                lock (_gate) Decide(i, result, null);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                lock (_gate)
                {
                    Decide(i, default, ex);
                    if (MaxErrorsReached) break;
                }
            }
        }
        ThrowIfStopped(cancellationToken);
    }

    public async Task RunConcurrentAsync(TimeProvider time, double timeoutSeconds, int stragglerLimit, TimeSpan pollInterval,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stopToken = stop.Token;
        // Not disposed: attempts that lost a straggler race may still be finishing after the run returns.
        var slots = new SemaphoreSlim(NumThreads);
        var pending = new List<Attempt>();
        lock (_gate)
        {
            for (var i = 0; i < _items.Count; i++) pending.Add(Start(i, slots, time, stop, stopToken));
        }

        while (!stopToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (_undecided == 0) break;
            }
            pending.RemoveAll(a => a.Task.IsCompleted);
            if (pending.Count == 0) break;

            using (var wake = CancellationTokenSource.CreateLinkedTokenSource(stopToken))
            {
                var delay = Task.Delay(pollInterval, time, wake.Token);
                await Task.WhenAny([.. pending.Select(a => a.Task), delay]).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
            }
            pending.RemoveAll(a => a.Task.IsCompleted);

            if (timeoutSeconds > 0 && pending.Count > 0 && pending.Count <= stragglerLimit)
            {
                var now = time.GetTimestamp();
                lock (_gate)
                {
                    foreach (var attempt in pending.ToList())
                    {
                        if (attempt.Resubmitted || attempt.StartedAt is not { } started || _decided[attempt.Index]) continue;
                        if (time.GetElapsedTime(started, now).TotalSeconds < timeoutSeconds) continue;
                        attempt.Resubmitted = true;
                        pending.Add(Start(attempt.Index, slots, time, stop, stopToken));
                    }
                }
            }
        }

        // Cancel whatever is still running (stragglers that lost, or everything after max_errors).
        await stop.CancelAsync().ConfigureAwait(false);
        ThrowIfStopped(cancellationToken);
    }

    private void ThrowIfStopped(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (MaxErrorsReached) throw new MaxErrorsExceededException(_maxErrors, _errorsInOrder.ToList());
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    // Called under the gate.
    private Attempt Start(int index, SemaphoreSlim slots, TimeProvider time, CancellationTokenSource stop, CancellationToken stopToken)
    {
        var attempt = new Attempt(index, CancellationTokenSource.CreateLinkedTokenSource(stopToken));
        _attempts[index].Add(attempt);
        _running[index]++;
        attempt.Task = RunAttemptAsync(attempt, slots, time, stop, stopToken);
        return attempt;
    }

    private async Task RunAttemptAsync(Attempt attempt, SemaphoreSlim slots, TimeProvider time, CancellationTokenSource stop, CancellationToken stopToken)
    {
        // Run the body on the thread pool, as a worker flow (it may not reconfigure the global settings).
        await Task.Yield();
        Settings.MarkWorkerFlow();
        var token = attempt.Cancellation.Token;
        try
        {
            await slots.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Finish(attempt, cancelled: true, default, null);
            return;
        }

        var cancelRun = false;
        try
        {
            // DSPy's job_cancelled: a job that starts after the run was stopped does nothing.
            if (stopToken.IsCancellationRequested || token.IsCancellationRequested)
            {
                Finish(attempt, cancelled: true, default, null);
                return;
            }
            attempt.StartedAt = time.GetTimestamp();
            try
            {
                var result = await _function(_items[attempt.Index], token).ConfigureAwait(false);
                cancelRun = Finish(attempt, cancelled: false, result, null);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Cancelled by us (lost a straggler race or the run stopped): not a failure of the item.
                Finish(attempt, cancelled: true, default, null);
            }
            catch (Exception ex)
            {
                cancelRun = Finish(attempt, cancelled: false, default, ex);
            }
            if (cancelRun)
            {
                try
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    // The run already returned.
                }
            }
        }
        finally
        {
            // Released after the outcome is recorded, so a run stopped by max_errors starts no further item.
            slots.Release();
        }
    }

    // Records an attempt's end; returns true when it made the run reach max_errors.
    private bool Finish(Attempt attempt, bool cancelled, TResult? result, Exception? error)
    {
        var reached = false;
        lock (_gate)
        {
            _running[attempt.Index]--;
            // The first success decides the item; a failure decides it only if no other attempt of it is still running.
            if (!cancelled && !_decided[attempt.Index] && (error is null || _running[attempt.Index] == 0))
            {
                Decide(attempt.Index, result, error);
                foreach (var other in _attempts[attempt.Index])
                {
                    if (other != attempt) other.Cancel();
                }
                reached = error is not null && MaxErrorsReached;
            }
        }
        return reached;
    }

    // Called under the gate.
    private void Decide(int index, TResult? result, Exception? error)
    {
        _decided[index] = true;
        _undecided--;
        if (error is null)
        {
            Results[index] = result;
            return;
        }
        Errors[index] = error;
        _failedIndices.Add(index);
        _errorsInOrder.Add(error);
        Parallel.LogFailure(_describe(_items[index]), error, _provideTraceback);
    }

    // The attempt's token source is linked to the run's stop source and goes away with it; it is not disposed earlier
    // because a winner may cancel a loser at any moment.
    private sealed class Attempt(int index, CancellationTokenSource cancellation)
    {
        public int Index { get; } = index;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task Task { get; set; } = Task.CompletedTask;

        public long? StartedAt { get; set; }

        public bool Resubmitted { get; set; }

        // Cancellation callbacks (the loser's continuation) run on the thread pool, never inline under the run's lock.
        public void Cancel() => _ = Cancellation.CancelAsync();
    }
}
