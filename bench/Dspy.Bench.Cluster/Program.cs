using Dspy;
using Dspy.Bench.Cluster;

// Cluster scenario runner (issue 5's bench scenarios). Writes bench/results/cluster-<scenario>.json and a Markdown table.
// Usage: dotnet run -c Release --project bench/Dspy.Bench.Cluster -- overhead [--examples N]
//        dotnet run -c Release --project bench/Dspy.Bench.Cluster -- gateway [--seconds N] [--warmup N]
//        dotnet run -c Release --project bench/Dspy.Bench.Cluster -- compile [--train N] [--parallel K] [--in-process]
// Measured on the simulated LM (stated in every output).
var scenario = args.Length > 0 ? args[0] : "overhead";
int Option(string name, int fallback)
{
    var value = args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    return value is null ? fallback : int.TryParse(value, out var n) && n >= 1 ? n : throw new ArgumentException($"{name} must be a positive integer, not '{value}'.");
}
if (scenario is not ("overhead" or "gateway" or "compile"))
{
    await Console.Error.WriteLineAsync($"unknown scenario '{scenario}'; available: overhead, gateway, compile");
    return 2;
}
int count, seconds, trainSize, parallel, warmUp;
try
{
    count = Option("--examples", 10_000);
    seconds = Option("--seconds", 60);
    // One rate window (60 s) plus 10 s by default: the limiter counts a permit until a window after its request finished,
    // so the cold start's slow first responses weigh on the measured rate until the first window is behind.
    warmUp = Option("--warmup", 70);
    trainSize = Option("--train", 100);
    parallel = Option("--parallel", 4);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Dspy.Orleans.sln"))) root = root.Parent;
if (root is null)
{
    await Console.Error.WriteLineAsync("run from inside the repository");
    return 2;
}
var samples = Path.Combine(root.FullName, "samples");
// The compile scenario runs on silo processes unless --in-process (three silos and the sim server in this process).
var inProcess = args.Contains("--in-process");
var processes = scenario == "gateway" || (scenario == "compile" && !inProcess);
var rows = scenario switch
{
    "overhead" => await OverheadScenario.RunAsync(count, samples),
    "compile" => await CompileScenario.RunAsync(root.FullName, samples, rpm: 600, latencyMs: 300, trainSize, parallel, inProcess),
    _ => await GatewayScenario.RunAsync(root.FullName, samples, rpm: 600, latencyMs: 300, seconds, warmUp),
};
var results = Path.Combine(root.FullName, "bench", "results");
Directory.CreateDirectory(results);
await File.WriteAllTextAsync(Path.Combine(results, $"cluster-{scenario}.json"), PythonJson.Dumps(new Dictionary<string, object?>
{
    ["scenario"] = scenario,
    ["lm"] = scenario == "overhead" ? "sim (in-process, no latency)" : processes ? "dspy sim serve (its own process)" : "dspy sim serve (in-process HTTP server)",
    ["silos"] = processes ? "3 silo processes (src/Silo, Azure mode on Azurite)" : "in-process test cluster",
    ["cores"] = (long)Environment.ProcessorCount,
    ["rows"] = rows.Cast<object?>().ToList(),
}, indent: 2) + "\n");
Console.WriteLine($"cluster {scenario} on the simulated LM, {Environment.ProcessorCount} cores ({(processes ? "3 silo processes" : "all silos in one process")})");
var keys = rows[0].Keys.ToList();
Console.WriteLine("| " + string.Join(" | ", keys) + " |");
Console.WriteLine("|" + string.Concat(keys.Select(_ => "---|")));
foreach (var r in rows) Console.WriteLine("| " + string.Join(" | ", keys.Select(k => PythonRepr.Str(r[k]))) + " |");
return 0;
