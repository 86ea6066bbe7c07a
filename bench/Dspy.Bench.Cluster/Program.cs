using Dspy;
using Dspy.Bench.Cluster;

// Cluster scenario runner (issue 5's bench scenarios). Writes bench/results/cluster-<scenario>.json and a Markdown table.
// Usage: dotnet run -c Release --project bench/Dspy.Bench.Cluster -- overhead [--examples N]
// Measured on the simulated LM (stated in every output).
var scenario = args.Length > 0 ? args[0] : "overhead";
var count = args.SkipWhile(a => a != "--examples").Skip(1).Select(int.Parse).FirstOrDefault(10_000);
if (scenario != "overhead")
{
    await Console.Error.WriteLineAsync($"unknown scenario '{scenario}'; available: overhead (gateway and compile: not yet)");
    return 2;
}
if (count < 1)
{
    await Console.Error.WriteLineAsync("--examples must be at least 1");
    return 2;
}
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Dspy.Orleans.sln"))) root = root.Parent;
if (root is null)
{
    await Console.Error.WriteLineAsync("run from inside the repository");
    return 2;
}
var rows = await OverheadScenario.RunAsync(count, Path.Combine(root.FullName, "samples"));
var results = Path.Combine(root.FullName, "bench", "results");
Directory.CreateDirectory(results);
await File.WriteAllTextAsync(Path.Combine(results, "cluster-overhead.json"), PythonJson.Dumps(new Dictionary<string, object?>
{
    ["scenario"] = "overhead", ["lm"] = "sim (in-process, no latency)", ["cores"] = (long)Environment.ProcessorCount, ["rows"] = rows.Cast<object?>().ToList(),
}, indent: 2) + "\n");
Console.WriteLine($"cluster overhead on the simulated LM, {count} examples, {Environment.ProcessorCount} cores (all silos in one process)");
Console.WriteLine("| path | silos | seconds | examples/s | score |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var r in rows) Console.WriteLine($"| {r["path"]} | {r["silos"]} | {r["seconds"]} | {r["examples_per_second"]} | {r["score"]} |");
return 0;
