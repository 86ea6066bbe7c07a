using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dspy;
using Dspy.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Dspy.Bench.Cluster;

/// <summary>
/// Scenario 1 of issue 5: three silo processes (<c>src/Silo</c> in Azure mode on an Azurite this scenario starts) calling
/// one <c>dspy sim serve</c> process limited to 600 requests/min with 300 ms latency through the gateway. A client submits
/// a cluster evaluation with more examples than the limit allows, so every silo's shards call the LM through that silo's
/// <see cref="LmGatewayChatClient"/> for the whole run. Warm-up: the first 10 s (<c>--warmup</c>) after the first request
/// reaches the server; then the server's own counters (<c>GET /sim/stats</c>) are read at the start and end of the measured span.
/// </summary>
internal static class GatewayScenario
{
    private const int Silos = 3;
    public static async Task<List<Dictionary<string, object?>>> RunAsync(string root, string samples, int rpm, int latencyMs, int seconds, int warmUpSeconds)
    {
        var warmUp = TimeSpan.FromSeconds(warmUpSeconds);
        var bin = AppContext.BaseDirectory;
        await using var azurite = await Azurite.StartAsync(root);
        var simPort = ChildProcess.FreePort();
        await using var sim = ChildProcess.StartDotnet("dspy sim serve", Path.Combine(bin, "Dspy.Cli.dll"),
            ["sim", "serve", "--port", Str(simPort), "--rpm", Str(rpm), "--latency-ms", Str(latencyMs)], new Dictionary<string, string>());
        var simBase = new Uri($"http://127.0.0.1:{simPort}/");
        await sim.WaitForAsync(new Uri(simBase, "sim/stats"), TimeSpan.FromMinutes(1));
        var apiBase = new Uri(simBase, "v1").ToString();

        var cluster = "dspy-bench-" + Guid.NewGuid().ToString("N")[..8];
        var silos = new List<ChildProcess>();
        try
        {
            for (var i = 0; i < Silos; i++)
            {
                var http = ChildProcess.FreePort();
                var silo = ChildProcess.StartDotnet($"silo {i + 1}", Path.Combine(bin, "Dspy.Silo.dll"), [], new Dictionary<string, string>
                {
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{http}",
                    ["Logging__LogLevel__Default"] = "Warning",
                    ["Dspy__Cluster__Mode"] = "Azure",
                    ["Dspy__Cluster__ClusterId"] = cluster,
                    ["Dspy__Cluster__ServiceId"] = cluster,
                    ["Dspy__Cluster__SiloPort"] = Str(ChildProcess.FreePort()),
                    ["Dspy__Cluster__GatewayPort"] = Str(ChildProcess.FreePort()),
                    ["ConnectionStrings__AzureStorage"] = azurite.ConnectionString,
                    ["Dspy__Grains__GrainStateTable"] = "DspyBench" + cluster[^8..],
                    ["Dspy__Grains__LmModel"] = "openai/sim",
                    ["Dspy__Grains__LmApiBase"] = apiBase,
                    ["Dspy__Grains__LmApiKey"] = "sim",
                    ["Dspy__Grains__LmCache"] = "false",
                    ["Dspy__Grains__LmRequestsPerWindow"] = Str(rpm),
                    ["Dspy__Grains__NumThreads"] = "16",
                });
                silos.Add(silo);
                await silo.WaitForAsync(new Uri($"http://127.0.0.1:{http}/health/ready"), TimeSpan.FromMinutes(3));
            }
            return [await MeasureAsync(azurite.ConnectionString, cluster, simBase, apiBase, samples, rpm, latencyMs, seconds, warmUp)];
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    private static async Task<Dictionary<string, object?>> MeasureAsync(string storage, string cluster, Uri simBase, string apiBase, string samples,
        int rpm, int latencyMs, int seconds, TimeSpan warmUp)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = cluster; o.ServiceId = cluster; });
            client.UseAzureStorageClustering(o => o.TableServiceClient = new Azure.Data.Tables.TableServiceClient(storage));
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var spec = new ProgramSpec("predict", File.ReadAllText(Path.Combine(samples, "intent", "signature.txt")).Trim());
            var pool = File.ReadLines(Path.Combine(samples, "intent", "train.jsonl")).Where(l => l.Length > 0)
                .Select(l => (Dictionary<string, object?>)ValueModel.ParseJson(l)!).ToList();
            // 1.5 times what the limit allows in warm-up + measured span, so the gateway is saturated throughout.
            var count = rpm * (seconds + (int)warmUp.TotalSeconds) / 60 * 3 / 2;
            var examples = Enumerable.Range(0, count)
                .Select(i => new Example(new Dictionary<string, object?>(pool[i % pool.Count]) { ["copy"] = (long)(i / pool.Count) }).WithInputs("text")).ToList();
            var evaluator = new ClusterProgramEvaluator(grains, new ClusterProgramEvaluatorOptions { RunId = "gateway-bench", Program = spec, ShardSize = 10 });
            using var stop = new CancellationTokenSource();
            var load = evaluator.EvaluateAsync(new ProgramEvaluationRequest { Program = spec.Build(), Examples = examples, Metric = Metrics.Get("exact_match") }, stop.Token);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var statsUrl = new Uri(simBase, "sim/stats");
            var wait = Stopwatch.StartNew();
            while ((await StatsAsync(http, statsUrl)).Received == 0)
            {
                if (load.IsFaulted) await load;
                if (wait.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException("No LM request reached the sim server within 3 minutes.");
                await Task.Delay(50);
            }
            var first = Stopwatch.StartNew();
            await Task.Delay(warmUp);
            var atWarm = await StatsAsync(http, statsUrl);
            var warmElapsed = first.Elapsed;
            // Served per 10 s of the measured span, to show where a shortfall is (start-up, steady state, the end).
            var steps = new List<long>();
            var previous = atWarm.Served;
            for (var step = 1; step * 10 < seconds; step++)
            {
                await Task.Delay(warmUp + TimeSpan.FromSeconds(step * 10) - first.Elapsed);
                var served10 = (await StatsAsync(http, statsUrl)).Served;
                steps.Add(served10 - previous);
                previous = served10;
            }
            await Task.Delay(warmUp + TimeSpan.FromSeconds(seconds) - first.Elapsed);
            var atEnd = await StatsAsync(http, statsUrl);
            steps.Add(atEnd.Served - previous);
            var measured = first.Elapsed - warmElapsed;
            await stop.CancelAsync();
            try
            {
                await load;
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex.InnerException is OperationCanceledException || ex is Orleans.Runtime.OrleansException)
            {
                // The load ran for its time; the rest of the examples were never needed.
            }

            var perSilo = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var key in evaluator.ShardKeys.Distinct())
            {
                var shard = grains.GetGrain<IEvaluationShardGrain>(key);
                var silo = await shard.SiloAsync();
                perSilo[silo] = perSilo.GetValueOrDefault(silo) + await shard.EvaluatedCountAsync();
            }
            var broker = await grains.GetGrain<ILmGatewayGrain>($"openai/sim@{apiBase}").GetStatsAsync();
            var served = atEnd.Served - atWarm.Served;
            var achieved = served / measured.TotalMinutes;
            return new(StringComparer.Ordinal)
            {
                ["silo_processes"] = (long)Silos,
                ["limit_rpm"] = (long)rpm,
                ["latency_ms"] = (long)latencyMs,
                ["warmup_seconds"] = (long)warmUp.TotalSeconds,
                ["measured_seconds"] = Math.Round(measured.TotalSeconds, 1),
                ["served_after_warmup"] = served,
                ["achieved_rpm"] = Math.Round(achieved, 1),
                ["achieved_over_limit"] = Math.Round(achieved / rpm, 3),
                ["status_429_after_warmup"] = atEnd.RateLimited - atWarm.RateLimited,
                ["status_429_total"] = atEnd.RateLimited,
                ["served_per_10s"] = string.Join("/", steps),
                ["cells_per_silo"] = string.Join("/", perSilo.Values.OrderDescending()),
                ["broker_granted"] = broker.Granted,
                ["broker_unused"] = broker.Unused,
                ["broker_limit_factor"] = broker.LimitFactor,
                ["grant_to_response_seconds"] = Math.Round(broker.MeanSettleSeconds, 2),
                ["load_average"] = LoadAverage(),
            };
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private sealed record SimCounters(long Received, long Served, long RateLimited);

    private static async Task<SimCounters> StatsAsync(HttpClient http, Uri url)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync(url));
        var r = doc.RootElement;
        return new SimCounters(r.GetProperty("requests_received").GetInt64(), r.GetProperty("served").GetInt64(), r.GetProperty("rate_limited").GetInt64());
    }

    // The machine's 1-minute load average at the end (Linux), so a reader can tell a quiet run from a loaded one.
    private static double? LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : (double?)null;

    private static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);
}
