using System.Diagnostics;
using Dspy;
using Dspy.Grains;
using Orleans.TestingHost;

namespace Dspy.Bench.Cluster;

/// <summary>
/// Scenario 3 of issue 5: a cluster evaluation of many examples with the in-process sim LM (no latency), in examples per
/// second, on in-process clusters of 1, 2 and 3 silos against the in-process evaluator. All silos share this machine's
/// cores, so this measures the cluster's overhead (grain calls, serialization, storage of cells), not scale-out.
/// </summary>
internal static class OverheadScenario
{
    public static async Task<List<Dictionary<string, object?>>> RunAsync(int count, string samples)
    {
        var spec = new ProgramSpec("predict", File.ReadAllText(Path.Combine(samples, "intent", "signature.txt")).Trim());
        var pool = File.ReadLines(Path.Combine(samples, "intent", "train.jsonl")).Concat(File.ReadLines(Path.Combine(samples, "intent", "dev.jsonl")))
            .Where(l => l.Length > 0).Select(l => (Dictionary<string, object?>)ValueModel.ParseJson(l)!).ToList();
        // Distinct examples (a copy number that is neither input nor label), so every one is its own cell.
        var examples = Enumerable.Range(0, count).Select(i => new Example(new Dictionary<string, object?>(pool[i % pool.Count]) { ["copy"] = (long)(i / pool.Count) }).WithInputs("text")).ToList();
        var program = spec.Build();
        foreach (var p in program.Predictors()) p.Demos = examples.Take(8).ToList();
        var request = new ProgramEvaluationRequest { Program = program, Examples = examples, Metric = Metrics.Get("exact_match") };
        var rows = new List<Dictionary<string, object?>>();

        using (Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = 8 }))
        {
            var sw = Stopwatch.StartNew();
            var local = await LocalProgramEvaluator.Instance.EvaluateAsync(request);
            rows.Add(Row("in-process", 0, count, sw.Elapsed, local.Score));
        }
        foreach (var silos in new[] { 1, 2, 3 })
        {
            var builder = new InProcessTestClusterBuilder((short)silos);
            builder.Options.ConfigureFileLogging = false;
            builder.ConfigureSilo((_, s) => s.AddDspyGrains(o => o.LmCache = false));
            await using var cluster = builder.Build();
            await cluster.DeployAsync();
            var evaluator = new ClusterProgramEvaluator(cluster.Client, new ClusterProgramEvaluatorOptions { RunId = $"overhead-{silos}", Program = spec, ShardSize = 25 });
            var sw = Stopwatch.StartNew();
            var result = await evaluator.EvaluateAsync(request);
            rows.Add(Row("cluster", silos, count, sw.Elapsed, result.Score));
        }
        return rows;
    }

    private static Dictionary<string, object?> Row(string path, int silos, int count, TimeSpan elapsed, double score) => new(StringComparer.Ordinal)
    {
        ["path"] = path,
        ["silos"] = (long)silos,
        ["examples"] = (long)count,
        ["seconds"] = Math.Round(elapsed.TotalSeconds, 2),
        ["examples_per_second"] = Math.Round(count / elapsed.TotalSeconds, 1),
        ["score"] = score,
    };
}
