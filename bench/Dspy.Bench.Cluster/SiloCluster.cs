using System.Globalization;
using System.Text.Json;
using Dspy.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Dspy.Bench.Cluster;

/// <summary>
/// What the process scenarios run on: Azurite (<c>scripts/azurite.sh</c>), one <c>dspy sim serve</c> process limited to
/// a rate with a latency, and silo processes (<c>src/Silo</c> in Azure mode, their own cluster and grain-state table) whose
/// LM is that server through the gateway limited to the same rate, plus an Orleans client connected to them. Disposing
/// stops the client, the silos, the server and Azurite.
/// </summary>
internal sealed class SiloCluster : IAsyncDisposable
{
    private readonly Azurite _azurite;
    private readonly ChildProcess _sim;
    private readonly List<ChildProcess> _silos;
    private readonly IHost _client;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly string _cacheDir;

    private SiloCluster(Azurite azurite, ChildProcess sim, List<ChildProcess> silos, IHost client, Uri simBase, string cacheDir)
    {
        _azurite = azurite;
        _sim = sim;
        _silos = silos;
        _client = client;
        SimBase = simBase;
        _cacheDir = cacheDir;
    }

    /// <summary>The sim server's root (<c>/sim/stats</c> under it).</summary>
    public Uri SimBase { get; }

    /// <summary>The OpenAI-compatible base URL the silos' LM calls.</summary>
    public string ApiBase => new Uri(SimBase, "v1").ToString();

    /// <summary>The client's grain factory.</summary>
    public IGrainFactory Grains => _client.Services.GetRequiredService<IGrainFactory>();

    /// <summary>How many silo processes run.</summary>
    public int SiloCount => _silos.Count;

    /// <summary>
    /// Starts everything: <paramref name="silos"/> silo processes with the gateway limited to <paramref name="rpm"/> per
    /// minute, the sim server at <paramref name="rpm"/> with <paramref name="latencyMs"/>, DSPy's LM cache on the silos when
    /// <paramref name="lmCache"/> (in Azure mode the cluster-wide cache table, fresh in this Azurite).
    /// </summary>
    public static async Task<SiloCluster> StartAsync(string root, int silos, int rpm, int latencyMs, bool lmCache)
    {
        var bin = AppContext.BaseDirectory;
        var cacheDir = Directory.CreateTempSubdirectory("dspy-bench-cache-").FullName;
        var azurite = await Azurite.StartAsync(root);
        ChildProcess? sim = null;
        var processes = new List<ChildProcess>();
        try
        {
            var simPort = ChildProcess.FreePort();
            sim = ChildProcess.StartDotnet("dspy sim serve", Path.Combine(bin, "Dspy.Cli.dll"),
                ["sim", "serve", "--port", Str(simPort), "--rpm", Str(rpm), "--latency-ms", Str(latencyMs)], new Dictionary<string, string>());
            var simBase = new Uri($"http://127.0.0.1:{simPort}/");
            await sim.WaitForAsync(new Uri(simBase, "sim/stats"), TimeSpan.FromMinutes(1));

            var cluster = "dspy-bench-" + Guid.NewGuid().ToString("N")[..8];
            for (var i = 0; i < silos; i++)
            {
                var http = ChildProcess.FreePort();
                var silo = ChildProcess.StartDotnet($"silo {i + 1}", Path.Combine(bin, "Dspy.Silo.dll"), [], new Dictionary<string, string>
                {
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http}",
                    ["Logging__LogLevel__Default"] = "Warning",
                    ["DSPY_CACHEDIR"] = cacheDir,
                    ["Dspy__Cluster__Mode"] = "Azure",
                    ["Dspy__Cluster__ClusterId"] = cluster,
                    ["Dspy__Cluster__ServiceId"] = cluster,
                    ["Dspy__Cluster__SiloPort"] = Str(ChildProcess.FreePort()),
                    ["Dspy__Cluster__GatewayPort"] = Str(ChildProcess.FreePort()),
                    ["ConnectionStrings__AzureStorage"] = azurite.ConnectionString,
                    ["Dspy__Grains__GrainStateTable"] = "DspyBench" + cluster[^8..],
                    ["Dspy__Grains__LmModel"] = "openai/sim",
                    ["Dspy__Grains__LmApiBase"] = new Uri(simBase, "v1").ToString(),
                    ["Dspy__Grains__LmApiKey"] = "sim",
                    ["Dspy__Grains__LmCache"] = lmCache ? "true" : "false",
                    ["Dspy__Grains__LmRequestsPerWindow"] = Str(rpm),
                    ["Dspy__Grains__NumThreads"] = "16",
                });
                processes.Add(silo);
                await silo.WaitForAsync(new Uri($"http://127.0.0.1:{http}/health/ready"), TimeSpan.FromMinutes(3));
            }
            var client = await ConnectAsync(azurite.ConnectionString, cluster);
            return new SiloCluster(azurite, sim, processes, client, simBase, cacheDir);
        }
        catch
        {
            foreach (var silo in processes) await silo.DisposeAsync();
            if (sim is not null) await sim.DisposeAsync();
            await azurite.DisposeAsync();
            Directory.Delete(cacheDir, recursive: true);
            throw;
        }
    }

    /// <summary>The sim server's own counters (<c>GET /sim/stats</c>).</summary>
    public async Task<SimCounters> StatsAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync(new Uri(SimBase, "sim/stats")));
        var r = doc.RootElement;
        return new SimCounters(r.GetProperty("requests_received").GetInt64(), r.GetProperty("served").GetInt64(), r.GetProperty("rate_limited").GetInt64());
    }

    /// <summary>The machine's 1-minute load average now (Linux), so a reader can tell a quiet run from a loaded one.</summary>
    public static double? LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : null;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _client.StopAsync();
        }
        finally
        {
            _client.Dispose();
            _http.Dispose();
            foreach (var silo in _silos) await silo.DisposeAsync();
            await _sim.DisposeAsync();
            await _azurite.DisposeAsync();
            Directory.Delete(_cacheDir, recursive: true);
        }
    }

    private static async Task<IHost> ConnectAsync(string storage, string cluster)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = cluster; o.ServiceId = cluster; });
            client.UseAzureStorageClustering(o => o.TableServiceClient = new Azure.Data.Tables.TableServiceClient(storage));
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The sim server's counters: requests received, served (200) and refused with 429.</summary>
internal sealed record SimCounters(long Received, long Served, long RateLimited);
