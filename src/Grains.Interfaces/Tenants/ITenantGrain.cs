namespace Dspy.Grains;

/// <summary>
/// A tenant (key: tenant id): its LM quota and usage. Silos lease quota permits here before they lease the endpoint's
/// (<see cref="ILmGatewayGrain"/>); like the endpoint broker it never waits: it grants permits or says when to ask again.
/// </summary>
[Alias("dspy.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Sets the tenant's quota (idempotent; silos send the quota they were configured with).</summary>
    /// <exception cref="ArgumentException">The quota is invalid (the message names the tenant and the setting).</exception>
    [Alias("ConfigureQuota")]
    [ResponseTimeout("00:00:30")]
    Task ConfigureQuotaAsync(TenantQuota quota);

    /// <summary>Leases quota permits and settles earlier ones (as <see cref="ILmGatewayGrain.AcquireAsync"/>).</summary>
    /// <exception cref="InvalidOperationException">The tenant has no quota configured.</exception>
    [Alias("Acquire")]
    [ResponseTimeout("00:00:30")]
    Task<PermitGrant> AcquireAsync(PermitRequest request, CancellationToken cancellationToken = default);

    /// <summary>The tenant's usage under its quota, or null if it has none.</summary>
    [Alias("Usage")]
    Task<TenantUsage?> GetUsageAsync();
}

/// <summary>A tenant's LM usage since its grain was activated.</summary>
[GenerateSerializer, Immutable, Alias("dspy.TenantUsage")]
public sealed record TenantUsage
{
    /// <summary>The quota in force.</summary>
    [Id(0)] public required TenantQuota Quota { get; init; }

    /// <summary>LM requests granted.</summary>
    [Id(1)] public long Requests { get; init; }

    /// <summary>Tokens granted (estimates, corrected with the reported usage).</summary>
    [Id(2)] public long Tokens { get; init; }

    /// <summary>Requests for permits refused because the quota was used up (each with a retry-after).</summary>
    [Id(3)] public long Refused { get; init; }

    /// <summary>Requests in flight.</summary>
    [Id(4)] public int InFlight { get; init; }
}
