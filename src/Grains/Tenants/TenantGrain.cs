namespace Dspy.Grains;

/// <summary>
/// The tenant grain (see <see cref="ITenantGrain"/>): the tenant's quota over the same non-waiting, window-safe permit
/// arithmetic as an endpoint (<see cref="EndpointLimiter"/>), without the adaptive part (nobody reports a tenant's 429s:
/// a quota is a contract, not a provider's moving limit). Usage counts from activation; kept alive long so it is not
/// reset by idle collection.
/// </summary>
[GrainType("dspy-tenant")]
[CollectionAgeLimit(Hours = 24)]
public sealed class TenantGrain : Grain, ITenantGrain
{
    private EndpointLimiter? _limiter;
    private TenantQuota? _quota;

    /// <inheritdoc/>
    public Task ConfigureQuotaAsync(TenantQuota quota)
    {
        ArgumentNullException.ThrowIfNull(quota);
        quota.Validate(this.GetPrimaryKeyString());
        if (_limiter is null) _limiter = new EndpointLimiter(quota.ToLimits(), LmGatewayGrain.LeaseTtl);
        else if (_quota != quota) _limiter.Reconfigure(quota.ToLimits());
        _quota = quota;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<PermitGrant> AcquireAsync(PermitRequest request, CancellationToken cancellationToken = default)
    {
        var limiter = _limiter ?? throw new InvalidOperationException(
            $"Tenant '{this.GetPrimaryKeyString()}' has no quota; callers configure it (Dspy:Grains:TenantQuotas) before acquiring permits.");
        return Task.FromResult(limiter.Acquire(request));
    }

    /// <inheritdoc/>
    public Task<TenantUsage?> GetUsageAsync()
    {
        if (_limiter is null || _quota is null) return Task.FromResult<TenantUsage?>(null);
        var stats = _limiter.Stats;
        return Task.FromResult<TenantUsage?>(new TenantUsage
        {
            Quota = _quota, Requests = stats.Granted, Tokens = stats.Tokens, Refused = stats.Refused, InFlight = stats.InFlight,
        });
    }
}
