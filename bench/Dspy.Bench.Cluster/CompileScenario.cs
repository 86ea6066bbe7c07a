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
/// DSPy's LM cache is on (as users run it) and fresh, so repeated requests cost nothing and are not counted. By default the
/// silos are processes (<see cref="SiloCluster"/>, as in the gateway scenario) and a client submits the run with
/// <see cref="CompileRunClient"/>; <c>--in-process</c> runs the three silos and the sim server in this process instead
/// (no Azurite; the difference shows what processes and Azure storage cost).
/// </summary>
internal static class CompileScenario
{
    private const int Silos = 3;
    private const string RunId = "compile-bench";

    public static async Task<List<Dictionary<string, object?>>> RunAsync(string root, string samples, int rpm, int latencyMs, int trainSize, int parallelism,
        bool inProcess)
    {
        var signature = File.ReadAllText(Path.Combine(samples, "intent", "signature.txt")).Trim();
        var inputs = Signature.Parse(signature).InputFields.Select(f => f.Name).ToArray();
        Example Read(string line) => new Example((Dictionary<string, object?>)ValueModel.ParseJson(line)!).WithInputs(inputs);
        var train = File.ReadLines(Path.Combine(samples, "intent", "train.jsonl")).Where(l => l.Length > 0).Take(trainSize).Select(Read).ToList();
        var dev = File.ReadLines(Path.Combine(samples, "intent", "dev.jsonl")).Where(l => l.Length > 0).Select(Read).ToList();
        var task = new CompileTask(new ProgramSpec("predict", signature), train, dev, rpm, latencyMs, parallelism);

        if (inProcess) return [await RunInProcessAsync(task)];
        await using var cluster = await SiloCluster.StartAsync(root, Silos, rpm, latencyMs, lmCache: true);
        return [await MeasureAsync(task, cluster.Grains, cluster.StatsAsync, "processes")];
    }

    private sealed record CompileTask(ProgramSpec Program, List<Example> Train, List<Example> Dev, int Rpm, int LatencyMs, int Parallelism);

    private static async Task<Dictionary<string, object?>> RunInProcessAsync(CompileTask task)
    {
        var window = TimeSpan.FromMinutes(1);
        var cacheDir = Directory.CreateTempSubdirectory("dspy-bench-compile-").FullName;
        try
        {
            Cache.Configure(diskCacheDir: cacheDir);
            await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = task.Rpm, Window = window, LatencyMs = task.LatencyMs },
                new SimChatClient(new SimOptions()));
            var builder = new InProcessTestClusterBuilder(Silos);
            builder.Options.ConfigureFileLogging = false;
            builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
            {
                o.LmModel = "openai/sim";
                o.LmApiBase = server.ApiBase.ToString();
                o.LmApiKey = "sim";
                o.LmRequestsPerWindow = task.Rpm;
                o.LmWindow = window;
                o.NumThreads = 16;
            }));
            await using var cluster = builder.Build();
            await cluster.DeployAsync();
            return await MeasureAsync(task, cluster.Client, () =>
            {
                var s = server.Stats;
                return Task.FromResult(new SimCounters(s.RequestsReceived, s.Served, s.RateLimited));
            }, "in-process");
        }
        finally
        {
            Directory.Delete(cacheDir, recursive: true);
        }
    }

    // Submits the run, follows its events, and checks and measures it against the sim server's own counters.
    private static async Task<Dictionary<string, object?>> MeasureAsync(CompileTask task, IGrainFactory grains, Func<Task<SimCounters>> stats, string silos)
    {
        var client = new CompileRunClient(grains);
        var before = await stats();
        var clock = Stopwatch.StartNew();
        await client.SubmitAsync(RunId, task.Program, task.Train, task.Dev, "exact_match", "mipro",
            c => c with { Auto = "light", Parallelism = task.Parallelism, ShardSize = 8 });
        var status = await client.WaitAsync(RunId, (e, now) =>
        {
            var line = e.Kind switch
            {
                "baseline" => $"before: {e.Score}%",
                "resumed" => $"resumed ({e.Message})",
                "NewBest" or "Finished" => $"{e.Optimizer}: {e.Message}",
                "completed" => $"completed: {e.Score}%",
                "failed" => $"failed: {e.Message}",
                _ => null,
            };
            if (line is not null) Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0} s, {RunPhases.Of(now.LmUsage, RunPhases.Compile).Calls} compile calls] {line}");
        });
        clock.Stop();
        var after = await stats();
        var load = SiloCluster.LoadAverage();

        var served = after.Served - before.Served;
        var refused = after.RateLimited - before.RateLimited;
        var counted = status.LmUsage?.Values.Sum(u => u.Calls) ?? 0;
        if (status.State != CompileRunState.Completed) throw new InvalidOperationException($"the compile run {status.State}: {status.Error}");
        if (status.BaselineScore is not { } scoreBefore || status.OptimizedScore is not { } scoreAfter || scoreAfter <= scoreBefore)
            throw new InvalidOperationException($"MIPROv2 did not improve the dev score: {status.BaselineScore}% -> {status.OptimizedScore}%");
        if (refused > 0) throw new InvalidOperationException($"the sim server answered {refused} requests with 429: the gateway let more than {task.Rpm}/min through");
        var bound = served / (task.Rpm / 60.0);
        return new(StringComparer.Ordinal)
        {
            ["silos"] = (long)Silos, ["silo_hosting"] = silos, ["optimizer"] = "mipro light", ["train"] = (long)task.Train.Count, ["dev"] = (long)task.Dev.Count,
            ["parallel_trials"] = (long)task.Parallelism, ["limit_rpm"] = (long)task.Rpm, ["latency_ms"] = (long)task.LatencyMs,
            ["lm_calls"] = served, ["lm_calls_counted_by_run"] = counted,
            ["lm_calls_by_phase"] = string.Join("/", new[] { RunPhases.Baseline, RunPhases.Compile, RunPhases.Final }.Select(p => RunPhases.Of(status.LmUsage, p).Calls)),
            ["status_429"] = refused,
            ["lower_bound_s"] = Math.Round(bound, 1), ["wall_clock_s"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["wall_over_bound"] = Math.Round(clock.Elapsed.TotalSeconds / bound, 3),
            ["score_before"] = scoreBefore, ["score_after"] = scoreAfter, ["attempts"] = (long)status.Attempts,
            ["load_average"] = load,
        };
    }
}
