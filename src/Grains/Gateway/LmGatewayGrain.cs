namespace Dspy.Grains;

/// <summary>
/// The permit broker grain of one endpoint (see <see cref="ILmGatewayGrain"/>): every method is a short synchronous
/// turn over an <see cref="EndpointLimiter"/>. Kept alive long so the learned limit is not reset by idle collection.
/// </summary>
[GrainType("dspy-lm-gateway")]
[CollectionAgeLimit(Hours = 24)]
public sealed class LmGatewayGrain : Grain, ILmGatewayGrain
{
    /// <summary>How long a leased permit stays valid on its silo.</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromMilliseconds(250);

    private EndpointLimiter? _limiter;

    /// <inheritdoc/>
    public Task ConfigureAsync(EndpointLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (_limiter is null) _limiter = new EndpointLimiter(limits, LeaseTtl);
        else if (_limiter.Limits != limits) _limiter.Reconfigure(limits);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<PermitGrant> AcquireAsync(PermitRequest request, CancellationToken cancellationToken = default) => Task.FromResult(Limiter.Acquire(request));

    /// <inheritdoc/>
    public Task ReportAsync(EndpointOutcome outcome)
    {
        Limiter.Report(outcome);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<GatewayStats> GetStatsAsync() => Task.FromResult(Limiter.Stats);

    private EndpointLimiter Limiter => _limiter
        ?? throw new InvalidOperationException($"LM endpoint '{this.GetPrimaryKeyString()}' has no limits; callers configure it before acquiring permits.");
}
