namespace Dspy.Grains;

/// <summary>
/// The permit broker of one LM endpoint (key: provider + model + credential scope, e.g. <c>openai/gpt-4o-mini@team-a</c>).
/// Callers on every silo lease permits here and make the HTTP call themselves; the broker never waits (it answers
/// with permits or a retry-after) and never touches the network, so each call is a microsecond turn.
/// </summary>
[Alias("dspy.ILmGatewayGrain")]
public interface ILmGatewayGrain : IGrainWithStringKey
{
    /// <summary>Sets the endpoint's limits (idempotent; callers send the limits they were configured with).</summary>
    [Alias("Configure")]
    Task ConfigureAsync(EndpointLimits limits);

    /// <summary>Leases permits and settles earlier ones.</summary>
    [Alias("Acquire")]
    Task<PermitGrant> AcquireAsync(PermitRequest request);

    /// <summary>Reports a 429 or a failure seen by a caller.</summary>
    [Alias("Report")]
    Task ReportAsync(EndpointOutcome outcome);

    /// <summary>The broker's counters.</summary>
    [Alias("Stats")]
    Task<GatewayStats> GetStatsAsync();
}
