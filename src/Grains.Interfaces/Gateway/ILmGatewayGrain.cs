namespace Dspy.Grains;

/// <summary>
/// The permit broker of one LM endpoint (key: provider + model + credential scope, e.g. <c>openai/gpt-4o-mini@team-a</c>).
/// Callers on every silo lease permits here and make the HTTP call themselves; the broker never waits (it answers
/// with permits or a retry-after) and never touches the network, so each call is a microsecond turn. The calls sit on
/// every LM request's path, so they have a short explicit timeout: a broker that cannot answer within it is gone.
/// </summary>
[Alias("dspy.ILmGatewayGrain")]
public interface ILmGatewayGrain : IGrainWithStringKey
{
    /// <summary>Sets the endpoint's limits (idempotent; callers send the limits they were configured with).</summary>
    [Alias("Configure")]
    [ResponseTimeout("00:00:30")]
    Task ConfigureAsync(EndpointLimits limits);

    /// <summary>Leases permits and settles earlier ones.</summary>
    [Alias("Acquire")]
    [ResponseTimeout("00:00:30")]
    Task<PermitGrant> AcquireAsync(PermitRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reports a 429 or a failure seen by a caller.</summary>
    [Alias("Report")]
    [ResponseTimeout("00:00:30")]
    Task ReportAsync(EndpointOutcome outcome);

    /// <summary>The broker's counters.</summary>
    [Alias("Stats")]
    Task<GatewayStats> GetStatsAsync();
}
