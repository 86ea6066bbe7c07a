using System.CommandLine;
using System.Globalization;

namespace Dspy.Cli;

/// <summary><c>dspy eval</c>: scores a signature (with optional demos) on a JSONL dataset with a named metric.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var signature = CliOptions.Signature();
        var data = new Option<string>("--data", "-d") { Description = "A JSONL dataset; each line is one example.", Required = true };
        var metric = new Option<string>("--metric") { Description = "A built-in metric name, e.g. exact_match.", Required = true };
        var demos = new Option<string?>("--demos") { Description = "A JSONL file; each line is one demo object." };
        var lm = CliOptions.Lm();
        var apiBase = CliOptions.ApiBase();
        var module = CliOptions.Module();
        var threads = new Option<int>("--threads", "-t") { Description = "Examples evaluated in parallel.", DefaultValueFactory = _ => 8 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var programFile = CliOptions.Program();

        var command = new Command("eval", "Evaluate the signature on a dataset and print the score.") { signature, data, metric, demos, lm, apiBase, module, threads, json, programFile };
        command.SetAction((parse, ct) => CliRunner.RunAsync(async () =>
        {
            var sig = CommandInputs.ParseSignature(parse.GetRequiredValue(signature), null);
            var numThreads = parse.GetValue(threads);
            if (numThreads < 1) throw new CliException("--threads must be at least 1.");
            var metricName = parse.GetRequiredValue(metric);
            var metricFn = Metrics.TryGet(metricName, out var m) ? m
                : throw new CliException($"--metric: unknown metric '{metricName}'; known: {string.Join(", ", Metrics.Names)}.");
            var rows = JsonInput.ReadJsonl(parse.GetRequiredValue(data), "--data");
            if (rows.Count == 0) throw new CliException("--data: the dataset is empty.");
            var inputNames = sig.InputFields.Select(f => f.Name).ToArray();
            var devset = rows.Select((row, i) =>
            {
                CommandInputs.CheckInputs(sig, row.Where(kv => sig[kv.Key] is { IsInput: true }).ToDictionary(), $"--data line {i + 1}");
                return new Example(row).WithInputs(inputNames);
            }).ToList();

            var program = ProgramFactory.Create(parse.GetValue(module)!, sig, parse.GetValue(programFile), CommandInputs.ReadDemos(parse.GetValue(demos)), parse.GetValue(demos) is not null);
            var model = LmSelection.ChooseModel(parse.GetValue(lm), Console.Error);
            using var scope = Settings.Context(lm: LmSelection.Create(model, parse.GetValue(apiBase)));
            var asJson = parse.GetValue(json);
            // A redrawn bar only makes sense on a terminal; redirected stderr gets the final line alone.
            var progress = new ProgressBar(Console.Error, enabled: !Console.IsErrorRedirected);
            var evaluate = new Evaluate(devset, metricFn, numThreads: numThreads);
            var result = await evaluate.RunAsync(program, progress: progress, cancellationToken: ct);

            var sum = result.Results.Sum(r => r.Score);
            if (asJson)
            {
                Console.Out.WriteLine(PythonJson.Dumps(new Dictionary<string, object?>
                {
                    ["score"] = result.Score,
                    ["metric"] = metricName,
                    ["total"] = (long)devset.Count,
                    ["sum"] = sum,
                    ["lm"] = model,
                }, indent: 2));
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Average Metric: {sum:F2} / {devset.Count} ({result.Score:0.0#}%) with {metricName} on {model}"));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
