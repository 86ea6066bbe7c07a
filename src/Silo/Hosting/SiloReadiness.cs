using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Dspy.Silo;

/// <summary>
/// Readiness of the silo: healthy once the Orleans silo reached its Active stage (joined the cluster, grains
/// accepted), unhealthy again when it starts shutting down so load balancers stop sending work.
/// </summary>
public sealed class SiloReadiness : ILifecycleParticipant<ISiloLifecycle>, IHealthCheck
{
    private volatile bool _ready;

    /// <summary>Whether the silo is active.</summary>
    public bool IsReady => _ready;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SiloReadiness), ServiceLifecycleStage.Active,
            _ => { _ready = true; return Task.CompletedTask; },
            _ => { _ready = false; return Task.CompletedTask; });
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready ? HealthCheckResult.Healthy("silo active") : HealthCheckResult.Unhealthy("silo not active"));
}
