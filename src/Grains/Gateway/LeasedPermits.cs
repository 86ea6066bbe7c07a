namespace Dspy.Grains;

/// <summary>
/// A silo's pool of permits leased from one broker grain (an endpoint's <see cref="ILmGatewayGrain"/> or a tenant's
/// <see cref="ITenantGrain"/>): callers take a permit from the pool; when it is empty one of them leases a batch (as many
/// as are waiting, up to the batch size) while the others wait for it, so the broker sees one call per batch. Finished
/// and expired permits are settled with the next lease.
/// </summary>
internal sealed class LeasedPermits(string silo, int batch, Func<CancellationToken, Task> configure,
    Func<PermitRequest, CancellationToken, Task<PermitGrant>> lease) : IDisposable
{
    private readonly SemaphoreSlim _leasing = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Queue<DateTimeOffset> _permits = new();
    private int _completed, _unused, _waiting;
    private long _tokenCorrection;
    private DateTimeOffset _lastCompleted;
    private bool _configured;

    /// <summary>Waits for a permit (leasing more when the pool is empty, waiting out the broker's retry-after).</summary>
    public async Task AcquireAsync(long tokensPerRequest, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            while (true)
            {
                if (TryTakeLocal()) return;
                await _leasing.WaitAsync(cancellationToken);
                TimeSpan wait;
                try
                {
                    if (TryTakeLocal()) return;
                    var grant = await LeaseAsync(tokensPerRequest, cancellationToken);
                    if (grant.Granted > 0)
                    {
                        var expires = DateTimeOffset.UtcNow + grant.LeaseTtl;
                        lock (_lock) for (var i = 0; i < grant.Granted; i++) _permits.Enqueue(expires);
                        continue;
                    }
                    wait = grant.RetryAfter;
                }
                finally
                {
                    _leasing.Release();
                }
                await Task.Delay(wait, cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Settles a taken permit (its request finished, or never went out) with its actual-minus-estimated tokens.</summary>
    public void Settle(long tokenCorrection)
    {
        lock (_lock)
        {
            _completed++;
            _tokenCorrection += tokenCorrection;
            _lastCompleted = DateTimeOffset.UtcNow;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _leasing.Dispose();

    private async Task<PermitGrant> LeaseAsync(long tokensPerRequest, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (!_configured)
            {
                await configure(cancellationToken);
                _configured = true;
            }
            PermitRequest request;
            lock (_lock)
            {
                request = new PermitRequest
                {
                    Silo = silo, Requests = Math.Clamp(Volatile.Read(ref _waiting), 1, batch), TokensPerRequest = tokensPerRequest,
                    Completed = _completed, Unused = _unused, TokenCorrection = _tokenCorrection,
                    CompletedAgo = _completed > 0 ? DateTimeOffset.UtcNow - _lastCompleted : TimeSpan.Zero,
                };
                _completed = _unused = 0;
                _tokenCorrection = 0;
            }
            try
            {
                return await lease(request, cancellationToken);
            }
            catch (InvalidOperationException) when (attempt == 0)
            {
                // The broker lost its configuration (its silo went away and it was activated afresh): configure it again.
                // The settlements went to the new activation's counts or were lost with the old one; either way they
                // no longer count.
                _configured = false;
            }
        }
    }

    private bool TryTakeLocal()
    {
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow;
            while (_permits.Count > 0 && _permits.Peek() <= now)
            {
                _permits.Dequeue();
                _unused++;
            }
            if (_permits.Count == 0) return false;
            _permits.Dequeue();
            return true;
        }
    }
}
