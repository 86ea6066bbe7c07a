using System.Diagnostics;
using Dspy;
using Dspy.Cli;
using Dspy.Grains;
using Orleans.TestingHost;

namespace Dspy.Bench.Cluster;

/// <summary>
/// Scenario 2 of issue 5: MIPROv2 auto=light on the intent task as a compile run on three silos, every LM call going
/// through the gateway to one <c>dspy sim serve</c> endpoint limited to 600 requests/min with 300 ms latency. Reports the
/// wall-clock time of the run over its rate-limit lower bound (the provider calls it made divided by the allowed rate).
/// DSPy's LM cache is on (as users run it) in a fresh folder, so repeated requests cost nothing and are not counted.
/// </summary>
internal static class CompileScenario
{
    public static async Task<List<Dictionary<string, object?>>> RunAsync(string samples, int rpm, int latencyMs, int trainSize, int parallelism)
    {
        var window = TimeSpan.FromMinutes(1);
        var cacheDir = Directory.CreateTempSubdirectory("dspy-bench-compile-").FullName;
        Cache.Configure(diskCacheDir: cacheDir);
        await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = rpm, Window = window, LatencyMs = latencyMs }, new SimChatClient(new SimOptions()));
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.LmModel = "openai/sim";
            o.LmApiBase = server.ApiBase.ToString();
            o.LmApiKey = "sim";
            o.LmRequestsPerWindow = rpm;
            o.LmWindow = window;
            o.NumThreads = 16;
        }));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var signature = File.ReadAllText(Path.Combine(samples, "intent", "signature.txt")).Trim();
        var sig = Signature.Parse(signature);
        var inputs = sig.InputFields.Select(f => f.Name).ToArray();
        Example Read(string line) => new Example((Dictionary<string, object?>)ValueModel.ParseJson(line)!).WithInputs(inputs);
        var train = File.ReadLines(Path.Combine(samples, "intent", "train.jsonl")).Where(l => l.Length > 0).Take(trainSize).Select(Read).ToList();
        var dev = File.ReadLines(Path.Combine(samples, "intent", "dev.jsonl")).Where(l => l.Length > 0).Select(Read).ToList();

        var client = new CompileRunClient(cluster.Client);
        var clock = Stopwatch.StartNew();
        await client.SubmitAsync("compile-bench", new ProgramSpec("predict", signature), train, dev, "exact_match", "mipro",
            c => c with { Auto = "light", Parallelism = parallelism, ShardSize = 8 });
        var status = await client.WaitAsync("compile-bench");
        clock.Stop();
        Directory.Delete(cacheDir, recursive: true);
        if (status.State != CompileRunState.Completed) throw new InvalidOperationException($"the compile run {status.State}: {status.Error}");

        var records = server.Requests.ToList();
        var served = records.Count(r => r.Status == 200);
        var bound = served / (rpm / 60.0);
        return
        [
            new(StringComparer.Ordinal)
            {
                ["silos"] = 3L, ["optimizer"] = "mipro light", ["train"] = (long)train.Count, ["dev"] = (long)dev.Count,
                ["parallel_trials"] = (long)parallelism, ["limit_rpm"] = (long)rpm, ["latency_ms"] = (long)latencyMs,
                ["lm_calls"] = (long)served, ["status_429"] = (long)records.Count(r => r.Status == 429),
                ["lower_bound_s"] = Math.Round(bound, 1), ["wall_clock_s"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                ["wall_over_bound"] = Math.Round(clock.Elapsed.TotalSeconds / bound, 3),
                ["score_before"] = status.BaselineScore, ["score_after"] = status.OptimizedScore,
            },
        ];
    }
}
