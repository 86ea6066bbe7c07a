using Azure.Data.Tables;
using Dspy.Grains;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Configuration;

namespace Dspy.Silo;

/// <summary>Composition of the silo host: the Orleans silo with the Dspy grains, and its health endpoints.</summary>
public static class DspyClusterHostingExtensions
{
    /// <summary>
    /// Adds the Orleans silo configured from <c>Dspy:Cluster</c> (<see cref="DspyClusterOptions"/>) and <c>Dspy:Grains</c>
    /// (<see cref="DspyGrainsOptions"/>): embedded mode (localhost clustering, memory storage) or Azure mode (Azure
    /// Table clustering, grain state and reminders). Bad settings fail here, before the silo starts.
    /// </summary>
    public static IHostApplicationBuilder AddDspyCluster(this IHostApplicationBuilder builder, Action<DspyClusterOptions>? configure = null,
        Action<DspyGrainsOptions>? configureGrains = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DspyClusterOptions();
        builder.Configuration.GetSection(DspyClusterOptions.Section).Bind(options);
        options.AzureStorageConnectionString ??= builder.Configuration.GetConnectionString("AzureStorage");
        configure?.Invoke(options);
        options.Validate();
        if (options.Mode == ClusterMode.Embedded && options.DataFolder is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            Cache.Configure(diskCacheDir: Path.Combine(folder, "lm-cache"));
        }

        var readiness = new SiloReadiness();
        builder.Services.AddSingleton(readiness);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(readiness);
        builder.Services.AddHealthChecks()
            .AddCheck("live", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<SiloReadiness>("silo", tags: ["ready"]);

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.Configure<SiloMessagingOptions>(o => o.CancelRequestOnTimeout = true);
            if (options.Mode == ClusterMode.Azure)
            {
                var tables = new TableServiceClient(options.AzureStorageConnectionString);
                silo.ConfigureEndpoints(System.Net.IPAddress.Loopback, options.SiloPort, options.GatewayPort);
                silo.UseAzureStorageClustering(o => o.TableServiceClient = tables);
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            }
            silo.AddDspyGrains(g =>
            {
                builder.Configuration.GetSection("Dspy:Grains").Bind(g);
                if (options.Mode == ClusterMode.Azure)
                {
                    g.Store = GrainStateStore.AzureTable;
                    g.AzureStorageConnectionString ??= options.AzureStorageConnectionString;
                }
                configureGrains?.Invoke(g);
            });
        });
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> (the process answers), <c>/health/ready</c> and <c>/health/startup</c> (the silo is active).</summary>
    public static IEndpointRouteBuilder MapDspyHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        endpoints.MapHealthChecks("/health/startup", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return endpoints;
    }
}
