using Dspy;
using Dspy.Cli;
using Dspy.Grains;
using Orleans.TestingHost;

namespace Dspy.Bench.Cluster;

/// <summary>
/// Scenario 1 of issue 5: three silos (in-process) calling one <c>dspy sim serve</c> endpoint limited to 600
/// requests/min with 300 ms latency through the gateway, for about a minute of load. Reports the achieved rate over the
/// limit after a 10 s warm-up and the 429s the server answered after it.
/// </summary>
internal static class GatewayScenario
{
    public static async Task<List<Dictionary<string, object?>>> RunAsync(string samples, int rpm, int latencyMs, int seconds)
    {
        var window = TimeSpan.FromMinutes(1);
        await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = rpm, Window = window, LatencyMs = latencyMs }, new SimChatClient(new SimOptions()));
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.LmModel = "openai/sim";
            o.LmApiBase = server.ApiBase.ToString();
            o.LmApiKey = "sim";
            o.LmCache = false;
            o.LmRequestsPerWindow = rpm;
            o.LmWindow = window;
            o.NumThreads = 16;
        }));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var spec = new ProgramSpec("predict", File.ReadAllText(Path.Combine(samples, "intent", "signature.txt")).Trim());
        var pool = File.ReadLines(Path.Combine(samples, "intent", "train.jsonl")).Where(l => l.Length > 0)
            .Select(l => (Dictionary<string, object?>)ValueModel.ParseJson(l)!).ToList();
        // More work than the limit allows in the measured time, so the gateway is saturated throughout.
        var count = rpm * seconds / 60 * 2;
        var examples = Enumerable.Range(0, count).Select(i => new Example(new Dictionary<string, object?>(pool[i % pool.Count]) { ["copy"] = (long)(i / pool.Count) }).WithInputs("text")).ToList();
        var program = spec.Build();
        var evaluator = new ClusterProgramEvaluator(cluster.Client, new ClusterProgramEvaluatorOptions { RunId = "gateway-bench", Program = spec, ShardSize = 10 });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 10));
        try
        {
            await evaluator.EvaluateAsync(new ProgramEvaluationRequest { Program = program, Examples = examples, Metric = Metrics.Get("exact_match") }, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // The load ran for its time; the rest of the examples were never needed.
        }
        catch (Exception ex) when (ex.InnerException is OperationCanceledException || ex is Orleans.Runtime.OrleansException)
        {
            // Cancelled shard calls surface wrapped.
        }

        var records = server.Requests.OrderBy(r => r.Arrival).ToList();
        var start = records[0].Arrival + TimeSpan.FromSeconds(10);
        var end = records[0].Arrival + TimeSpan.FromSeconds(seconds + 10);
        var measured = records.Where(r => r.Arrival >= start && r.Arrival < end).ToList();
        var served = measured.Count(r => r.Status == 200);
        var achievedPerMinute = served / (end - start).TotalMinutes;
        return
        [
            new(StringComparer.Ordinal)
            {
                ["silos"] = 3L, ["limit_rpm"] = (long)rpm, ["latency_ms"] = (long)latencyMs, ["measured_seconds"] = (long)seconds,
                ["served_after_warmup"] = (long)served, ["achieved_rpm"] = Math.Round(achievedPerMinute, 1),
                ["achieved_over_limit"] = Math.Round(achievedPerMinute / rpm, 3),
                ["status_429_after_warmup"] = (long)measured.Count(r => r.Status == 429),
                ["status_429_total"] = (long)records.Count(r => r.Status == 429),
            },
        ];
    }
}
