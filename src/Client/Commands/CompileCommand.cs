using System.CommandLine;
using System.Globalization;

namespace Dspy.Cli;

/// <summary>
/// <c>dspy compile</c>: optimizes a Predict/ChainOfThought program with a DSPy optimizer, scores it on the validation set
/// before and after, and saves the optimized program in DSPy's state format. Available optimizers: labeled-fewshot,
/// bootstrap-fewshot and random-search (BootstrapFewShotWithRandomSearch, also spelled bootstrap-random-search or
/// bootstrap-rs); MIPROv2, GEPA and the other DSPy optimizers arrive in later releases.
/// </summary>
internal static class CompileCommand
{
    /// <summary>The optimizers this command knows, by CLI name.</summary>
    public static readonly IReadOnlyList<string> Optimizers = ["labeled-fewshot", "bootstrap-fewshot", "random-search"];

    /// <summary>Other CLI names of random-search (DSPy's class name and its alias <c>BootstrapRS</c>).</summary>
    public static readonly IReadOnlyList<string> RandomSearchAliases = ["bootstrap-random-search", "bootstrap-rs"];

    public static Command Create()
    {
        var signature = CliOptions.Signature();
        var module = CliOptions.Module();
        var train = new Option<string>("--train") { Description = "The trainset, a JSONL file with input and output fields.", Required = true };
        var val = new Option<string?>("--val", "--dev") { Description = "The validation set (JSONL) scored before and after; defaults to the trainset." };
        var metric = new Option<string>("--metric") { Description = "A built-in metric name, e.g. exact_match.", Required = true };
        var optimizer = new Option<string>("--optimizer", "-o")
        {
            Description = "labeled-fewshot, bootstrap-fewshot or random-search (alias bootstrap-random-search, bootstrap-rs); MIPROv2, GEPA and the other DSPy optimizers are not available yet.",
            Required = true,
        };
        var seed = new Option<long>("--seed") { Description = "Seed of the demo sampling; 0 (the default) picks what DSPy picks.", DefaultValueFactory = _ => 0 };
        var maxDemos = new Option<int?>("--max-demos") { Description = "bootstrap-fewshot: bootstrapped demos to collect; random-search: the most per candidate (default 4)." };
        var maxLabeled = new Option<int?>("--max-labeled") { Description = "Demos per predictor in total (labeled-fewshot: k; default 16)." };
        var maxRounds = new Option<int?>("--max-rounds") { Description = "bootstrap-fewshot, random-search: tries per example (default 1)." };
        var numCandidates = new Option<int?>("--num-candidates")
        {
            Description = "random-search: shuffled bootstrap candidates (DSPy's num_candidate_programs, default 16), tried after the zero-shot, labeled-only and unshuffled ones.",
        };
        var stopAtScore = new Option<double?>("--stop-at-score") { Description = "random-search: stop once a candidate scores at least this percentage on the trainset." };
        var threads = new Option<int>("--threads", "-t") { Description = "Examples run in parallel (the result does not depend on it).", DefaultValueFactory = _ => 8 };
        var lm = CliOptions.Lm();
        var apiBase = CliOptions.ApiBase();
        var output = new Option<string>("--out") { Description = "Where to save the optimized program (.json, DSPy's save format).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary on stdout." };

        var command = new Command("compile", "Optimize the program with a DSPy optimizer, compare scores before and after, and save it.")
        {
            signature, module, train, val, metric, optimizer, seed, maxDemos, maxLabeled, maxRounds, numCandidates, stopAtScore, threads, lm, apiBase,
            output, json,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(async () =>
        {
            var sig = CommandInputs.ParseSignature(parse.GetRequiredValue(signature), null);
            var optimizerName = parse.GetRequiredValue(optimizer);
            if (RandomSearchAliases.Contains(optimizerName)) optimizerName = "random-search";
            if (!Optimizers.Contains(optimizerName))
            {
                throw new CliException($"--optimizer: unknown optimizer '{optimizerName}'; known: {string.Join(", ", Optimizers)} (random-search is also spelled {string.Join(" or ", RandomSearchAliases)}; MIPROv2, GEPA and the other DSPy optimizers are not available yet).");
            }
            var numThreads = parse.GetValue(threads);
            if (numThreads < 1) throw new CliException("--threads must be at least 1.");
            var metricName = parse.GetRequiredValue(metric);
            var metricFn = Metrics.TryGet(metricName, out var m) ? m!
                : throw new CliException($"--metric: unknown metric '{metricName}'; known: {string.Join(", ", Metrics.Names)}.");
            var outPath = parse.GetRequiredValue(output);
            CheckOutputPath(outPath);
            var teleprompter = CreateOptimizer(optimizerName, metricFn, parse.GetValue(seed), parse.GetValue(maxDemos), parse.GetValue(maxLabeled),
                parse.GetValue(maxRounds), numThreads, parse.GetValue(numCandidates), parse.GetValue(stopAtScore));

            var trainset = DatasetInput.Read(sig, parse.GetRequiredValue(train), "--train");
            var valPath = parse.GetValue(val);
            var valset = valPath is null ? trainset : DatasetInput.Read(sig, valPath, "--val");
            var moduleName = parse.GetValue(module)!;
            var program = ProgramFactory.Create(moduleName, sig, []);

            var model = LmSelection.ChooseModel(parse.GetValue(lm), Console.Error);
            var languageModel = LmSelection.Create(model, parse.GetValue(apiBase));
            using var scope = Settings.Context(s => s with { Lm = languageModel, NumThreads = numThreads });
            var interactive = !Console.IsErrorRedirected;
            var evaluate = new Evaluate(valset, metricFn, numThreads: numThreads);

            var (before, beforeCalls) = await MeteredAsync(() => evaluate.RunAsync(program, progress: new ProgressBar(Console.Error, interactive), cancellationToken: ct));
            var (optimized, compileCalls) = await MeteredAsync(() => teleprompter.CompileAsync(program, trainset,
                new CompileOptions { Progress = new OptimizerProgressWriter(Console.Error, interactive) }, ct));
            var (after, afterCalls) = await MeteredAsync(() => evaluate.RunAsync(optimized, progress: new ProgressBar(Console.Error, interactive), cancellationToken: ct));
            await optimized.SaveAsync(outPath, ct);

            var demos = optimized.NamedPredictors().ToDictionary(p => p.Name, p => (object?)(long)p.Predictor.Demos.Count, StringComparer.Ordinal);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(PythonJson.Dumps(new Dictionary<string, object?>
                {
                    ["optimizer"] = optimizerName,
                    ["params"] = new Dictionary<string, object?>(teleprompter.GetParams(), StringComparer.Ordinal),
                    ["module"] = moduleName,
                    ["metric"] = metricName,
                    ["lm"] = model,
                    ["train_size"] = (long)trainset.Count,
                    ["val_size"] = (long)valset.Count,
                    ["val_source"] = valPath is null ? "train" : "val",
                    ["score_before"] = before.Score,
                    ["score_after"] = after.Score,
                    ["lm_calls"] = new Dictionary<string, object?>
                    {
                        ["before"] = beforeCalls,
                        ["compile"] = compileCalls,
                        ["after"] = afterCalls,
                        ["total"] = beforeCalls + compileCalls + afterCalls,
                    },
                    ["demos"] = demos,
                    ["out"] = outPath,
                }, ensureAscii: false, indent: 2));
            }
            else
            {
                var valName = valPath is null ? "trainset" : "val set";
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-9} {"score",9} {"LM calls",9}"));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"before",-9} {Percent(before.Score),9} {beforeCalls,9}"));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"compile",-9} {"",9} {compileCalls,9}"));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"after",-9} {Percent(after.Score),9} {afterCalls,9}"));
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{metricName} on the {valName} ({valset.Count} examples) with {model}; {optimizerName} demos per predictor: {string.Join(", ", demos.Select(d => $"{d.Key}={d.Value}"))}; saved to {outPath}"));
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Teleprompter CreateOptimizer(string name, Metric metric, long seed, int? maxDemos, int? maxLabeled, int? maxRounds, int numThreads,
        int? numCandidates, double? stopAtScore)
    {
        if (maxDemos is < 0) throw new CliException("--max-demos must not be negative.");
        if (maxLabeled is < 0) throw new CliException("--max-labeled must not be negative.");
        if (maxRounds is < 1) throw new CliException("--max-rounds must be at least 1.");
        if (name != "random-search" && (numCandidates is not null || stopAtScore is not null))
            throw new CliException("--num-candidates and --stop-at-score apply to random-search.");
        switch (name)
        {
            case "random-search":
                if (numCandidates is < 0) throw new CliException("--num-candidates must not be negative.");
                if (maxDemos is 0 && numCandidates is not 0) throw new CliException("--max-demos must be at least 1 for random-search's shuffled candidates.");
                // DSPy's candidates are seeded -3 .. num_candidates-1 and its bootstraps use seed 0; there is no other seed to set.
                if (seed != 0) throw new CliException("--seed does not apply to random-search: its candidates are seeded -3 .. N-1, as in DSPy.");
                return new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
                {
                    Metric = metric,
                    MaxBootstrappedDemos = maxDemos ?? 4,
                    MaxLabeledDemos = maxLabeled ?? 16,
                    MaxRounds = maxRounds ?? 1,
                    NumCandidatePrograms = numCandidates ?? 16,
                    StopAtScore = stopAtScore,
                    NumThreads = numThreads,
                });
            case "labeled-fewshot":
                if (maxDemos is not null || maxRounds is not null)
                    throw new CliException("--max-demos and --max-rounds apply to bootstrap-fewshot; labeled-fewshot takes --max-labeled (k).");
                return new LabeledFewShot(maxLabeled ?? 16, seed);
            default:
                return new BootstrapFewShot(new BootstrapFewShotOptions
                {
                    Metric = metric,
                    MaxBootstrappedDemos = maxDemos ?? 4,
                    MaxLabeledDemos = maxLabeled ?? 16,
                    MaxRounds = maxRounds ?? 1,
                    NumThreads = numThreads,
                    Seed = seed,
                });
        }
    }

    private static void CheckOutputPath(string path)
    {
        if (!string.Equals(Path.GetExtension(path), ".json", StringComparison.Ordinal))
            throw new CliException($"--out: the program is saved as JSON; '{path}' must end with .json.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new CliException($"--out: the folder '{dir}' does not exist.");
    }

    // LM calls that reached the provider (cache hits are free), counted by a usage tracker around one phase.
    private static async Task<(T Result, long Calls)> MeteredAsync<T>(Func<Task<T>> phase)
    {
        using var usage = Settings.TrackUsage();
        var result = await phase();
        return (result, usage.GetTotalTokens().Values.Sum(u => u.Calls));
    }

    private static string Percent(double score) => PythonFloat.Repr(score) + "%";
}
