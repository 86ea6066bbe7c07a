using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>
/// DESIGN s6's embedded default: one Orleans silo inside the calling process (the <c>dspy</c> CLI), clustered on
/// localhost with free ports, with the Dspy grains on memory storage and no log output. Work submitted through
/// <see cref="Client"/> runs through the same grains as on a cluster; everything is gone when the silo stops, so
/// durable state (LM cache, evaluation store) belongs in the host's own folder (<see cref="DspyGrainsOptions.Lm"/>,
/// <see cref="DspyGrainsOptions.RunEvaluator"/>).
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedSilo(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The silo's in-process client.</summary>
    public IClusterClient Client { get; }

    /// <summary>Starts the silo; <paramref name="configure"/> sets the grains' options (the store is always memory).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<EmbeddedSilo> StartAsync(Action<DspyGrainsOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // The host's own output (a CLI's stdout and stderr) must not carry Orleans' logs.
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            // Per-process cluster and service ids: two CLIs on one machine never join each other's silo.
            var id = "dspy-embedded-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: id, clusterId: id);
            silo.AddDspyGrains(o =>
            {
                configure?.Invoke(o);
                o.Store = GrainStateStore.Memory;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new EmbeddedSilo(host);
    }

    /// <summary>Stops the silo.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None);
        }
        finally
        {
            _host.Dispose();
        }
    }

    // A port nothing listens on now (the OS picks it); the silo binds it a moment later.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
