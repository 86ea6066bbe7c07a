using System.Diagnostics;
using Dspy;
using Dspy.Grains;

namespace Dspy.Bench.Cluster;

/// <summary>
/// Scenario 1 of issue 5: three silo processes (<see cref="SiloCluster"/>: <c>src/Silo</c> in Azure mode on an Azurite this
/// scenario starts) calling one <c>dspy sim serve</c> process limited to 600 requests/min with 300 ms latency through the
/// gateway. A client submits a cluster evaluation with more examples than the limit allows, so every silo's shards call
/// the LM through that silo's <see cref="LmGatewayChatClient"/> for the whole run. Warm-up: the first 70 s (<c>--warmup</c>)
/// after the first request reaches the server; then the server's own counters (<c>GET /sim/stats</c>) are read at the
/// start and end of the measured span.
/// </summary>
internal static class GatewayScenario
{
    private const int Silos = 3;
    public static async Task<List<Dictionary<string, object?>>> RunAsync(string root, string samples, int rpm, int latencyMs, int seconds, int warmUpSeconds)
    {
        // Every example is a new request: the LM cache would only hide the load.
        await using var cluster = await SiloCluster.StartAsync(root, Silos, rpm, latencyMs, lmCache: false);
        return [await MeasureAsync(cluster, samples, rpm, latencyMs, seconds, TimeSpan.FromSeconds(warmUpSeconds))];
    }

    private static async Task<Dictionary<string, object?>> MeasureAsync(SiloCluster cluster, string samples, int rpm, int latencyMs, int seconds, TimeSpan warmUp)
    {
        var grains = cluster.Grains;
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

        var wait = Stopwatch.StartNew();
        while ((await cluster.StatsAsync()).Received == 0)
        {
            if (load.IsFaulted) await load;
            if (wait.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException("No LM request reached the sim server within 3 minutes.");
            await Task.Delay(50);
        }
        var first = Stopwatch.StartNew();
        await Task.Delay(warmUp);
        var atWarm = await cluster.StatsAsync();
        var warmElapsed = first.Elapsed;
        // Served per 10 s of the measured span, to show where a shortfall is (start-up, steady state, the end).
        var steps = new List<long>();
        var previous = atWarm.Served;
        for (var step = 1; step * 10 < seconds; step++)
        {
            await Task.Delay(warmUp + TimeSpan.FromSeconds(step * 10) - first.Elapsed);
            var served10 = (await cluster.StatsAsync()).Served;
            steps.Add(served10 - previous);
            previous = served10;
        }
        await Task.Delay(warmUp + TimeSpan.FromSeconds(seconds) - first.Elapsed);
        var atEnd = await cluster.StatsAsync();
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
        var broker = await grains.GetGrain<ILmGatewayGrain>($"openai/sim@{cluster.ApiBase}").GetStatsAsync();
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
            ["load_average"] = SiloCluster.LoadAverage(),
        };
    }
}
