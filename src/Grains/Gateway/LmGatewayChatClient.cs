using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dspy.Grains;

/// <summary>
/// The silo-local side of the LM gateway: an <see cref="IChatClient"/> middleware that takes permits before every
/// request — first the current tenant's quota permit (<see cref="TenantContext"/>, <see cref="ITenantGrain"/>) when
/// that tenant has a quota, then the endpoint's (<see cref="ILmGatewayGrain"/>) when the endpoint has limits — each
/// from a small pool leased from its broker grain (so a broker is called once per batch, not per request), makes the
/// HTTP call on this silo, settles the permits with the next leases, and reports 429s (with Retry-After) and failures
/// to the endpoint's broker.
/// </summary>
public sealed class LmGatewayChatClient : DelegatingChatClient
{
    private readonly IGrainFactory _grains;
    private readonly string _endpoint;
    private readonly string _silo;
    private readonly int _batch;
    private readonly LeasedPermits? _endpointPermits;
    private readonly IReadOnlyDictionary<string, TenantQuota> _tenantQuotas;
    private readonly ConcurrentDictionary<string, LeasedPermits> _tenantPermits = new(StringComparer.Ordinal);

    /// <summary>Creates the middleware over <paramref name="inner"/> for the endpoint <paramref name="endpoint"/>.</summary>
    /// <param name="inner">The provider's client.</param>
    /// <param name="grains">The grain factory (the silo's).</param>
    /// <param name="endpoint">The endpoint broker's key (provider + model + credential scope).</param>
    /// <param name="limits">The endpoint's limits, or null for none (only tenant quotas apply).</param>
    /// <param name="silo">This silo's name (leases are per silo).</param>
    /// <param name="tenantQuotas">Quotas by tenant id; tenants not listed have none.</param>
    /// <param name="batch">Permits leased at most per broker call.</param>
    /// <exception cref="ArgumentException">The limits or a quota are invalid.</exception>
    public LmGatewayChatClient(IChatClient inner, IGrainFactory grains, string endpoint, EndpointLimits? limits, string silo,
        IReadOnlyDictionary<string, TenantQuota>? tenantQuotas = null, int batch = 4)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(silo);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        limits?.Validate();
        foreach (var (tenant, quota) in tenantQuotas ?? new Dictionary<string, TenantQuota>())
        {
            ArgumentNullException.ThrowIfNull(quota, $"quota of tenant '{tenant}'");
            quota.Validate(tenant);
        }
        _grains = grains;
        _endpoint = endpoint;
        _silo = silo;
        _batch = batch;
        _tenantQuotas = tenantQuotas ?? new Dictionary<string, TenantQuota>();
        if (limits is not null)
        {
            var gateway = grains.GetGrain<ILmGatewayGrain>(endpoint);
            _endpointPermits = new LeasedPermits(silo, batch, _ => gateway.ConfigureAsync(limits), (r, ct) => gateway.AcquireAsync(r, ct));
        }
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        var estimate = Estimate(list, options);
        var permits = await AcquireAsync(estimate, cancellationToken);
        try
        {
            var response = await base.GetResponseAsync(list, options, cancellationToken);
            Settle(permits, response.Usage?.TotalTokenCount is { } actual ? actual - estimate : 0);
            return response;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Settle(permits, 0);
            await ReportAsync(ex);
            throw;
        }
        catch
        {
            Settle(permits, 0);
            throw;
        }
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        var permits = await AcquireAsync(Estimate(list, options), cancellationToken);
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken)) yield return update;
        }
        finally
        {
            Settle(permits, 0);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _endpointPermits?.Dispose();
            foreach (var p in _tenantPermits.Values) p.Dispose();
        }
        base.Dispose(disposing);
    }

    // The tenant's permit first: a tenant over its quota waits without holding endpoint capacity others could use.
    private async Task<(LeasedPermits? Tenant, LeasedPermits? Endpoint)> AcquireAsync(long estimate, CancellationToken cancellationToken)
    {
        var tenant = TenantPermits();
        if (tenant is not null) await tenant.AcquireAsync(estimate, cancellationToken);
        if (_endpointPermits is null) return (tenant, null);
        try
        {
            await _endpointPermits.AcquireAsync(estimate, cancellationToken);
        }
        catch
        {
            // The request never went out: its tenant permit is settled with its tokens given back.
            tenant?.Settle(-estimate);
            throw;
        }
        return (tenant, _endpointPermits);
    }

    private LeasedPermits? TenantPermits()
    {
        if (TenantContext.Current is not { } tenant || !_tenantQuotas.TryGetValue(tenant, out var quota)) return null;
        return _tenantPermits.GetOrAdd(tenant, t =>
        {
            var grain = _grains.GetGrain<ITenantGrain>(t);
            return new LeasedPermits(_silo, _batch, _ => grain.ConfigureQuotaAsync(quota), (r, ct) => grain.AcquireAsync(r, ct));
        });
    }

    private static void Settle((LeasedPermits? Tenant, LeasedPermits? Endpoint) permits, long tokenCorrection)
    {
        permits.Tenant?.Settle(tokenCorrection);
        permits.Endpoint?.Settle(tokenCorrection);
    }

    private Task ReportAsync(Exception ex)
    {
        if (_endpointPermits is null) return Task.CompletedTask;
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
