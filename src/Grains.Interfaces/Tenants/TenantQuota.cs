namespace Dspy.Grains;

/// <summary>
/// A tenant's LM quota: requests and tokens per window (and requests in flight) across every endpoint and silo. It is
/// taken before the endpoint's permit, so a tenant over its quota waits without using the endpoint's capacity.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.TenantQuota")]
public sealed record TenantQuota
{
    /// <summary>LM requests per window; null means unlimited.</summary>
    [Id(0)] public int? RequestsPerWindow { get; init; }

    /// <summary>LM tokens (prompt + completion) per window; null means unlimited.</summary>
    [Id(1)] public long? TokensPerWindow { get; init; }

    /// <summary>LM requests in flight at once; null means unlimited.</summary>
    [Id(2)] public int? MaxInFlight { get; init; }

    /// <summary>The quota's window (default one minute).</summary>
    [Id(3)] public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks the quota of <paramref name="tenant"/>; the message names the tenant and the setting.</summary>
    /// <exception cref="ArgumentException">The tenant id is invalid, a limit is not positive, none is set, or the window is not positive.</exception>
    public void Validate(string tenant)
    {
        TenantContext.CheckTenantId(tenant);
        if (RequestsPerWindow is < 1) throw new ArgumentException($"Tenant '{tenant}' quota: RequestsPerWindow must be at least 1, not {RequestsPerWindow}.");
        if (TokensPerWindow is < 1) throw new ArgumentException($"Tenant '{tenant}' quota: TokensPerWindow must be at least 1, not {TokensPerWindow}.");
        if (MaxInFlight is < 1) throw new ArgumentException($"Tenant '{tenant}' quota: MaxInFlight must be at least 1, not {MaxInFlight}.");
        if (Window <= TimeSpan.Zero) throw new ArgumentException($"Tenant '{tenant}' quota: Window must be positive, not {Window}.");
        if (Window > TimeSpan.FromDays(31)) throw new ArgumentException($"Tenant '{tenant}' quota: Window must be at most 31 days, not {Window}.");
        if (RequestsPerWindow is null && TokensPerWindow is null && MaxInFlight is null)
        {
            throw new ArgumentException($"Tenant '{tenant}' quota sets no limit: set RequestsPerWindow, TokensPerWindow or MaxInFlight (or remove the entry).");
        }
    }

    /// <summary>The quota as the limits the permit arithmetic enforces.</summary>
    public EndpointLimits ToLimits() => new() { RequestsPerWindow = RequestsPerWindow, TokensPerWindow = TokensPerWindow, MaxInFlight = MaxInFlight, Window = Window };
}
