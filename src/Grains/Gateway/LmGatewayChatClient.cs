using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dspy.Grains;

/// <summary>
/// The silo-local side of the LM gateway: an <see cref="IChatClient"/> middleware that takes a permit before every
/// request, from a small pool leased from the endpoint's <see cref="ILmGatewayGrain"/> (so the broker is called once per
/// batch, not per request), makes the HTTP call on this silo, settles the permit with the next lease, and reports
/// 429s (with Retry-After) and failures to the broker.
/// </summary>
public sealed class LmGatewayChatClient : DelegatingChatClient
{
    private readonly IGrainFactory _grains;
    private readonly string _endpoint;
    private readonly EndpointLimits _limits;
    private readonly string _silo;
    private readonly int _batch;
    private readonly SemaphoreSlim _leasing = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Queue<DateTimeOffset> _permits = new();
    private int _completed, _unused, _waiting;
    private long _tokenCorrection;
    private bool _configured;

    /// <summary>Creates the middleware over <paramref name="inner"/> for the endpoint <paramref name="endpoint"/>.</summary>
    public LmGatewayChatClient(IChatClient inner, IGrainFactory grains, string endpoint, EndpointLimits limits, string silo, int batch = 4)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        _grains = grains;
        _endpoint = endpoint;
        _limits = limits;
        _silo = silo;
        _batch = batch;
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        var estimate = Estimate(list, options);
        await AcquireAsync(estimate, cancellationToken);
        try
        {
            var response = await base.GetResponseAsync(list, options, cancellationToken);
            Settle(response.Usage?.TotalTokenCount is { } actual ? actual - estimate : 0);
            return response;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Settle(0);
            await ReportAsync(ex);
            throw;
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        await AcquireAsync(Estimate(list, options), cancellationToken);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken)) yield return update;
        }
        finally
        {
            Settle(0);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _leasing.Dispose();
        base.Dispose(disposing);
    }

    private async Task AcquireAsync(long estimate, CancellationToken cancellationToken)
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
                    var gateway = _grains.GetGrain<ILmGatewayGrain>(_endpoint);
                    if (!_configured)
                    {
                        await gateway.ConfigureAsync(_limits);
                        _configured = true;
                    }
                    PermitRequest request;
                    lock (_lock)
                    {
                        request = new PermitRequest
                        {
                            Silo = _silo, Requests = Math.Clamp(Volatile.Read(ref _waiting), 1, _batch), TokensPerRequest = estimate,
                            Completed = _completed, Unused = _unused, TokenCorrection = _tokenCorrection,
                        };
                        _completed = _unused = 0;
                        _tokenCorrection = 0;
                    }
                    var grant = await gateway.AcquireAsync(request);
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

    private void Settle(long tokenCorrection)
    {
        lock (_lock)
        {
            _completed++;
            _tokenCorrection += tokenCorrection;
        }
    }

    private Task ReportAsync(Exception ex)
    {
        var error = LMErrorMapper.FromException(ex, null, null);
        var gateway = _grains.GetGrain<ILmGatewayGrain>(_endpoint);
        return error switch
        {
            LMRateLimitError rl => gateway.ReportAsync(new EndpointOutcome { RateLimited = true, RetryAfter = rl.RetryAfter }),
            LMTimeoutError or LMTransportError => gateway.ReportAsync(new EndpointOutcome { Failed = true }),
            _ when error.Status is >= 500 => gateway.ReportAsync(new EndpointOutcome { Failed = true }),
            _ => Task.CompletedTask,
        };
    }

    // A rough count (4 characters a token) plus the completion budget; the actual usage corrects the bucket afterwards.
    private static long Estimate(IReadOnlyCollection<ChatMessage> messages, ChatOptions? options) =>
        (messages.Sum(m => (long)(m.Text?.Length ?? 0)) / 4) + (options?.MaxOutputTokens ?? 256);
}
