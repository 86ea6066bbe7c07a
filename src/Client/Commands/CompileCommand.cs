using System.CommandLine;
using System.Globalization;
using Dspy.Grains;

namespace Dspy.Cli;

/// <summary>
/// <c>dspy compile</c>: optimizes a Predict/ChainOfThought program (built from <c>--signature</c>/<c>--module</c>, optionally
/// starting from a saved <c>--program</c>) with a DSPy optimizer from <see cref="OptimizerRegistry"/>, scores it on the
/// validation set before and after, and saves the optimized program in DSPy's state format. <c>--max-calls</c>,
/// <c>--max-tokens</c> and <c>--max-cost</c> are hard limits on the compile's LM use (the optimizer stops with the best
/// program found within them); <c>--dry-run</c> projects the compile's calls, tokens and cost on the simulated LM and
/// spends nothing; <c>--run-dir</c> keeps the LM cache and the evaluation store of the run, so re-running a killed compile
/// with the same folder resumes it without repeating completed LM calls. The compile runs on an embedded in-process silo
/// (<see cref="EmbeddedCompile"/>, DESIGN s6) unless it needs the in-process path (<see cref="RunsOnEmbeddedSilo"/>);
/// <c>--cluster HOST:PORT</c> submits it to a running cluster instead (<see cref="ClusterCompile"/>).
/// </summary>
internal static class CompileCommand
{
    public static Command Create()
    {
        var signature = CliOptions.Signature();
        var module = CliOptions.Module();
        var programFile = CliOptions.Program();
        var train = new Option<string>("--train") { Description = "The trainset, a JSONL file with input and output fields.", Required = true };
        var val = new Option<string?>("--val", "--dev") { Description = "The validation set (JSONL) scored before and after; defaults to the trainset." };
        var metric = new Option<string>("--metric") { Description = "A built-in metric name, e.g. exact_match.", Required = true };
        var optimizer = new Option<string>("--optimizer", "-o") { Description = "The optimizer: " + OptimizerRegistry.Describe() + ".", Required = true };
        var seed = new Option<long?>("--seed") { Description = "Seed of the optimizer's random choices; the default (0) picks what DSPy picks." };
        var maxDemos = new Option<int?>("--max-demos") { Description = "bootstrap-fewshot: bootstrapped demos to collect; random-search: the most per candidate (default 4)." };
        var maxLabeled = new Option<int?>("--max-labeled") { Description = "Demos per predictor in total (labeled-fewshot: k; default 16)." };
        var maxRounds = new Option<int?>("--max-rounds") { Description = "bootstrap-fewshot, random-search: tries per example (default 1)." };
        var numCandidates = new Option<int?>("--num-candidates")
        {
            Description = "random-search: shuffled bootstrap candidates (DSPy's num_candidate_programs, default 16), tried after the zero-shot, labeled-only and unshuffled ones.",
        };
        var stopAtScore = new Option<double?>("--stop-at-score") { Description = "random-search: stop once a candidate scores at least this percentage on the trainset." };
        var auto = new Option<string?>("--auto") { Description = "light, medium or heavy: DSPy's auto budget (optimizers that have one, e.g. MIPROv2, GEPA)." };
        var parallelTrials = new Option<int?>("--parallel-trials")
        {
            Description = "K trials (mipro), proposals (gepa) or candidates (random-search, copro) evaluated at once per round; part of the configuration (default 1, DSPy's sequential algorithm).",
        };
        var promptLm = new Option<string?>("--prompt-lm") { Description = "The LM that proposes instructions or reflects (optimizers that use one); defaults to --lm." };
        var maxCalls = new Option<long?>("--max-calls") { Description = "Hard limit on the LM calls of the compile (cache hits are free)." };
        var maxTokens = new Option<long?>("--max-tokens") { Description = "Hard limit on the tokens (prompt plus completion) of the compile's LM calls." };
        var maxCost = new Option<double?>("--max-cost") { Description = "Hard limit on the cost of the compile's LM calls, in USD (needs a model with a known price)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Project the compile's LM calls, tokens and cost on the simulated LM, spend nothing and save nothing." };
        var runDir = new Option<string?>("--run-dir") { Description = "A folder for the run's LM cache and evaluation store; re-run with it to resume a killed compile." };
        var threads = new Option<int>("--threads", "-t") { Description = "Examples run in parallel (the result does not depend on it).", DefaultValueFactory = _ => 8 };
        var lm = CliOptions.Lm();
        var apiBase = CliOptions.ApiBase();
        var output = new Option<string?>("--out") { Description = "Where to save the optimized program (.json, DSPy's save format); required unless --dry-run." };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary on stdout." };
        var cluster = new Option<string?>("--cluster")
        {
            Description = "HOST:PORT of a running cluster's gateway: submit the compile to it and follow its progress (any optimizer; bootstrap-finetune and better-together need the silos' LM to be an openai/... model).",
        };

        var command = new Command("compile", "Optimize the program with a DSPy optimizer, compare scores before and after, and save it. "
            + "The compile runs on an embedded in-process Orleans silo, through the grains a cluster runs (--cluster: on a running cluster); "
            + "--dry-run runs in-process without a silo.")
        {
            signature, module, programFile, train, val, metric, optimizer, seed, maxDemos, maxLabeled, maxRounds, numCandidates, stopAtScore, auto,
            parallelTrials, promptLm, maxCalls, maxTokens, maxCost, dryRun, runDir, threads, lm, apiBase, output, json, cluster,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(async () =>
        {
            var sig = CommandInputs.ParseSignature(parse.GetRequiredValue(signature), null);
            var chosen = OptimizerRegistry.Find(parse.GetRequiredValue(optimizer));
            var numThreads = parse.GetValue(threads);
            if (numThreads < 1) throw new CliException("--threads must be at least 1.");
            var metricName = parse.GetRequiredValue(metric);
            var metricFn = Metrics.TryGet(metricName, out var m) ? m!
                : throw new CliException($"--metric: unknown metric '{metricName}'; known: {string.Join(", ", Metrics.Names)}.");
            var isDryRun = parse.GetValue(dryRun);
            var outPath = parse.GetValue(output);
            if (outPath is null && !isDryRun) throw new CliException("--out is required (where to save the optimized program), unless --dry-run.");
            if (outPath is not null) CheckOutputPath(outPath);
            var limits = ParseLimits(parse.GetValue(maxCalls), parse.GetValue(maxTokens), parse.GetValue(maxCost));
            var autoValue = parse.GetValue(auto);
            if (autoValue is not null && autoValue is not ("light" or "medium" or "heavy"))
                throw new CliException($"--auto must be light, medium or heavy, got '{autoValue}'.");
            var arguments = new OptimizerArguments
            {
                Name = chosen.Name,
                Metric = metricFn,
                Seed = parse.GetValue(seed),
                NumThreads = numThreads,
                MaxDemos = parse.GetValue(maxDemos),
                MaxLabeled = parse.GetValue(maxLabeled),
                MaxRounds = parse.GetValue(maxRounds),
                NumCandidates = parse.GetValue(numCandidates),
                StopAtScore = parse.GetValue(stopAtScore),
                Auto = autoValue,
                Parallelism = parse.GetValue(parallelTrials),
                TaskLm = LmSelection.Create("sim"),
            };
            if (parse.GetValue(cluster) is { } clusterAddress)
            {
                ClusterCompile.RejectUnsupported([
                    ("--dry-run", isDryRun),
                    ("--run-dir", parse.GetValue(runDir) is not null), ("--lm", parse.GetValue(lm) is not null),
                    ("--api-base", parse.GetValue(apiBase) is not null),
                ]);
                return await ClusterCompile.RunAsync(new ClusterCompileRequest
                {
                    Address = clusterAddress, Optimizer = chosen, Arguments = arguments, PromptModel = parse.GetValue(promptLm),
                    ThreadsGiven = parse.GetResult(threads) is { Implicit: false }, Signature = sig, SignatureText = parse.GetRequiredValue(signature),
                    Module = parse.GetValue(module)!, ProgramPath = parse.GetValue(programFile), TrainPath = parse.GetRequiredValue(train),
                    ValPath = parse.GetValue(val), MetricName = metricName, OutPath = outPath!, Json = parse.GetValue(json), Limits = limits,
                }, ct);
            }
            var runDirectory = parse.GetValue(runDir);
            if (runDirectory is not null && isDryRun) throw new CliException("--dry-run spends nothing and writes no run folder; leave out --run-dir.");

            var model = LmSelection.ChooseModel(parse.GetValue(lm), Console.Error);
            var promptModel = parse.GetValue(promptLm);
            var api = parse.GetValue(apiBase);
            var probeLm = LmSelection.Create(model, api);
            var probePromptLm = promptModel is null ? null : CreatePromptLm(promptModel, api, null);
            var context = arguments with { TaskLm = probeLm, PromptLm = probePromptLm };
            // Built once before any data is read, so a bad option fails fast; rebuilt below with the run's LMs.
            chosen.Create(context);

            var trainPath = parse.GetRequiredValue(train);
            var trainset = DatasetInput.Read(sig, trainPath, "--train");
            var valPath = parse.GetValue(val);
            var valset = valPath is null ? trainset : DatasetInput.Read(sig, valPath, "--val");
            var moduleName = parse.GetValue(module)!;
            var programPath = parse.GetValue(programFile);
            var program = ProgramFactory.Create(moduleName, sig, programPath, [], false);

            using var run = runDirectory is null ? null : OpenRunFolder(runDirectory, new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["signature"] = sig.SignatureText,
                ["module"] = moduleName,
                ["program"] = programPath is null ? null : FileHash(programPath),
                ["train"] = FileHash(trainPath),
                ["val"] = valPath is null ? null : FileHash(valPath),
                ["metric"] = metricName,
                ["optimizer"] = chosen.Name,
                ["params"] = ManifestParams(chosen.Create(context)),
                ["auto"] = autoValue,
                ["lm"] = model,
                ["prompt_lm"] = promptModel,
            }, parse.GetValue(seed) ?? 0);
            var languageModel = run is null ? probeLm : LmSelection.Create(model, api, run.Cache);
            var promptLanguageModel = promptModel is null ? null : CreatePromptLm(promptModel, api, run?.Cache);
            var teleprompter = chosen.Create(context with { TaskLm = languageModel, PromptLm = promptLanguageModel });

            if (RunsOnEmbeddedSilo(isDryRun))
            {
                return await EmbeddedCompile.RunAsync(new EmbeddedCompileRequest
                {
                    Optimizer = chosen, Teleprompter = teleprompter, Arguments = arguments, Lm = languageModel,
                    LmFactory = m => CreatePromptLm(m, api, run?.Cache), PromptModel = promptModel, Run = run, SignatureText = parse.GetRequiredValue(signature),
                    Module = moduleName, Program = program, ProgramPath = programPath, Trainset = trainset, Valset = valset, ValPath = valPath,
                    MetricName = metricName, Model = model, Limits = limits, OutPath = outPath!, Json = parse.GetValue(json),
                }, ct);
            }

            using var scope = Settings.Context(s => s with { Lm = languageModel, NumThreads = numThreads, FinetuneJobs = run?.FinetuneJobs });
            var interactive = !Console.IsErrorRedirected;
            var evaluator = (IProgramEvaluator?)run?.CreateEvaluator() ?? LocalProgramEvaluator.Instance;

            if (isDryRun)
            {
                var projection = await DryRun.ProjectAsync(teleprompter, program, trainset, new CompileOptions { Evaluator = evaluator },
                    limits.IsLimited ? limits : null, cancellationToken: ct);
                WriteProjection(projection, chosen.Name, model, limits, parse.GetValue(json));
                return ExitCodes.Success;
            }

            var evaluate = new Evaluate(valset, metricFn, numThreads: numThreads);
            var (before, beforeCalls) = await MeteredAsync(() => evaluate.RunAsync(program, progress: new ProgressBar(Console.Error, interactive), cancellationToken: ct));
            var budget = new LMBudget(limits);
            Module optimized;
            using (budget.Install())
            {
                try
                {
                    optimized = await teleprompter.CompileAsync(program, trainset,
                        new CompileOptions { Evaluator = evaluator, Progress = new OptimizerProgressWriter(Console.Error, interactive, limits) }, ct);
                }
                catch (BudgetExceededException ex)
                {
                    throw new CliException($"the LM budget ran out before the optimizer had a program to return: {ex.Message}", ExitCodes.Failure, ex);
                }
            }
            // The budget counts the compile phase's calls, limited or not.
            var compileCalls = budget.Used.LmCalls;
            if (budget.IsExhausted)
            {
                await Console.Error.WriteLineAsync($"note: the LM budget ({limits}) ran out; {chosen.Name} returned the best program found within it.");
            }
            var (after, afterCalls) = await MeteredAsync(() => evaluate.RunAsync(optimized, progress: new ProgressBar(Console.Error, interactive), cancellationToken: ct));
            await optimized.SaveAsync(outPath!, ct);
            new CompileSummary
            {
                Optimizer = chosen.Name, Params = teleprompter.GetParams(), Module = moduleName, MetricName = metricName, Model = model,
                TrainSize = trainset.Count, ValSize = valset.Count, ValPath = valPath, ScoreBefore = before.Score, ScoreAfter = after.Score,
                BeforeCalls = beforeCalls, CompileCalls = compileCalls, AfterCalls = afterCalls, Limits = limits, Used = budget.Used,
                Exhausted = budget.IsExhausted, Run = run, Optimized = Saved(optimized), OutPath = outPath!,
            }.Write(Console.Out, parse.GetValue(json));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Set to 1, <c>dspy compile</c> runs every compile in-process, without the embedded silo (for comparison).</summary>
    public const string InProcessVariable = "DSPY_COMPILE_IN_PROCESS";

    // DESIGN s6: a compile runs on the embedded silo, through the same grains as on a cluster (an LM budget is the run's
    // cluster budget there), unless it is a dry run, which needs the library's in-process projection.
    private static bool RunsOnEmbeddedSilo(bool dryRun) =>
        !dryRun && Environment.GetEnvironmentVariable(InProcessVariable) != "1";

    // The program the file holds, which the summary describes: a KNNFewShot program saves the student it wraps (as in
    // DSPy), whose predictors are named as the student's, as in the program a compile run returns.
    private static Module Saved(Module optimized) => optimized is KNNFewShotProgram knn ? knn.Program : optimized;

    private static BudgetLimits ParseLimits(long? maxCalls, long? maxTokens, double? maxCost)
    {
        if (maxCalls is < 1) throw new CliException("--max-calls must be at least 1.");
        if (maxTokens is < 1) throw new CliException("--max-tokens must be at least 1.");
        if (maxCost is { } c && (!double.IsFinite(c) || c <= 0)) throw new CliException("--max-cost must be a positive number of USD.");
        return new BudgetLimits { MaxCalls = maxCalls, MaxTokens = maxTokens, MaxCost = maxCost };
    }

    // The optimizer's settings minus the thread count, which never changes a result (so a resume may use other threads).
    private static Dictionary<string, object?> ManifestParams(Teleprompter teleprompter)
    {
        var settings = new Dictionary<string, object?>(teleprompter.GetParams(), StringComparer.Ordinal);
        settings.Remove("num_threads");
        return settings;
    }

    private static LM CreatePromptLm(string model, string? apiBase, Cache? cache)
    {
        try
        {
            return LmSelection.Create(model, apiBase, cache);
        }
        catch (CliException ex)
        {
            throw new CliException(ex.Message.Replace("--lm ", "--prompt-lm ", StringComparison.Ordinal));
        }
    }

    private static RunFolder OpenRunFolder(string directory, Dictionary<string, object?> config, long seed)
    {
        try
        {
            return RunFolder.Open(directory, new RunManifest(config, seed));
        }
        catch (Exception ex) when (ex is RunFolderMismatchException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException("--run-dir: " + ex.Message);
        }
    }

    // The data files are part of the run's identity by content, so an edited trainset is not resumed from stale cells.
    private static string FileHash(string path)
    {
        try
        {
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read '{path}': {ex.Message}");
        }
    }

    private static void WriteProjection(DryRunProjection projection, string optimizer, string model, BudgetLimits limits, bool json)
    {
        var p = projection.Projected;
        if (json)
        {
            Console.Out.WriteLine(PythonJson.Dumps(new Dictionary<string, object?>
            {
                ["dry_run"] = true,
                ["optimizer"] = optimizer,
                ["lm"] = model,
                ["projected"] = new Dictionary<string, object?>
                {
                    ["calls"] = p.LmCalls,
                    ["prompt_tokens"] = p.PromptTokens,
                    ["completion_tokens"] = p.CompletionTokens,
                    ["tokens"] = p.PromptTokens + p.CompletionTokens,
                    ["cost"] = p.Cost,
                },
                ["by_model"] = projection.ByModel.ToDictionary(kv => kv.Key, kv => (object?)new Dictionary<string, object?>
                {
                    ["calls"] = kv.Value.LmCalls,
                    ["tokens"] = kv.Value.PromptTokens + kv.Value.CompletionTokens,
                    ["cost"] = kv.Value.Cost,
                }, StringComparer.Ordinal),
                ["stopped_by_budget"] = projection.StoppedByBudget,
            }, ensureAscii: false, indent: 2));
            return;
        }
        Console.Out.WriteLine($"dry run of {optimizer} (answers from the simulated LM; nothing was sent to {model}):");
        Console.Out.WriteLine($"projected compile: {LMBudget.Describe(p)}{(p.Cost is null ? " (no known price)" : "")}");
        foreach (var (name, used) in projection.ByModel) Console.Out.WriteLine($"  {name}: {LMBudget.Describe(used)}");
        if (projection.StoppedByBudget) Console.Out.WriteLine($"the budget ({limits}) would stop the run before it finishes.");
    }

    private static void CheckOutputPath(string path)
    {
        if (!string.Equals(Path.GetExtension(path), ".json", StringComparison.Ordinal))
            throw new CliException($"--out: the program is saved as JSON; '{path}' must end with .json.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new CliException($"--out: the folder '{dir}' does not exist.");
    }

    // LM calls that reached the provider (cache hits are free), counted by a usage tracker around one phase.
    // A phase's provider calls as an LM budget counts them (a request for n generations is n calls; cache hits are free),
    // the rule a compile run counts by on the silos, so in-process, embedded and --cluster compiles report the same.
    private static async Task<(T Result, long Calls)> MeteredAsync<T>(Func<Task<T>> phase)
    {
        var counter = new LMBudget();
        using (counter.Install())
        {
            var result = await phase();
            return (result, counter.Used.LmCalls);
        }
    }
}
