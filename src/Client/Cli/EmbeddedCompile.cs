using Dspy.Grains;

namespace Dspy.Cli;

/// <summary>What <c>dspy compile</c> runs on the embedded silo, parsed, checked and read by <see cref="CompileCommand"/>.</summary>
internal sealed record EmbeddedCompileRequest
{
    public required OptimizerFactory Optimizer { get; init; }

    /// <summary>The optimizer as the CLI built it (its parameters go into the summary; the silo builds its own from the config).</summary>
    public required Teleprompter Teleprompter { get; init; }
    public required OptimizerArguments Arguments { get; init; }

    /// <summary>The task LM (the run folder's cache in it under <c>--run-dir</c>); the silo runs the program with it.</summary>
    public required LM Lm { get; init; }

    /// <summary>Builds <c>--prompt-lm</c> models with the CLI's settings (base URL, run folder cache).</summary>
    public required Func<string, BaseLM> LmFactory { get; init; }
    public string? PromptModel { get; init; }
    public RunFolder? Run { get; init; }
    public required string SignatureText { get; init; }
    public required string Module { get; init; }
    public required Module Program { get; init; }
    public string? ProgramPath { get; init; }
    public required IReadOnlyList<Example> Trainset { get; init; }
    public required IReadOnlyList<Example> Valset { get; init; }
    public string? ValPath { get; init; }
    public required string MetricName { get; init; }
    public required string Model { get; init; }

    /// <summary><c>--max-calls</c>, <c>--max-tokens</c>, <c>--max-cost</c>: the run's cluster budget (<see cref="CompileRunConfig.Budget"/>).</summary>
    public required BudgetLimits Limits { get; init; }
    public required string OutPath { get; init; }
    public bool Json { get; init; }
}

/// <summary>
/// <c>dspy compile</c> without <c>--cluster</c> (DESIGN s6, embedded mode): starts an Orleans silo in this process
/// (<see cref="EmbeddedSilo"/>), submits the compile to its compile-run grain with <see cref="CompileRunClient"/> (the same
/// grains and evaluator a cluster runs), shows the run's events like an in-process compile, and saves the program the
/// run stores. The silo uses the CLI's LM pipeline; the LM calls of each phase (before, compile, after) are the run's own
/// counts (<see cref="CompileRunStatus.LmUsage"/>), as on a cluster.
/// </summary>
internal static class EmbeddedCompile
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(EmbeddedCompileRequest request, CancellationToken cancellationToken)
    {
        var spec = new ProgramSpec(request.Module, request.SignatureText);
        spec.EnsureMatches(request.Program);
        var initialState = request.ProgramPath is null ? null : PythonJson.Dumps(request.Program.DumpState());
        var args = request.Arguments;

        var runId = "cli-" + Guid.NewGuid().ToString("N");
        await using var silo = await EmbeddedSilo.StartAsync(o =>
        {
            o.Lm = request.Lm;
            o.LmFactory = request.LmFactory;
            o.NumThreads = args.NumThreads;
            o.RunEvaluator = request.Run is { } run ? (_, inner) => run.CreateEvaluator(inner) : null;
            // The silo's grain state dies with this process: fine-tuning jobs are remembered where an in-process compile
            // keeps them (the run folder, else the LM's disk cache), so a re-run re-attaches to its job.
            o.FinetuneJobs = request.Run?.FinetuneJobs ?? FinetuneJobFolder.ForLm(request.Lm);
        }, cancellationToken);

        var client = new CompileRunClient(silo.Client);
        await client.SubmitAsync(runId, spec, request.Trainset, request.ValPath is null ? null : request.Valset, request.MetricName, request.Optimizer.Name,
            c => c.WithOptimizer(args, request.PromptModel, args.NumThreads, request.Limits, initialState) with
            {
                // One shard per evaluation: on one silo more shards buy nothing, and --threads stays the number of LM calls in
                // flight, as in-process (so a killed compile loses at most that many, and a provider sees the same concurrency).
                ShardSize = request.Trainset.Count + request.Valset.Count,
            });

        var progress = new OptimizerProgressWriter(Console.Error, !Console.IsErrorRedirected, request.Limits);
        // The optimizer's lines show the compile phase's calls as counted when the event was read (exact for the last line).
        var status = await client.WaitAsync(runId, (e, now) =>
        {
            if (ToOptimizerEvent(e, RunPhases.Of(now.LmUsage, RunPhases.Compile).Used) is { } optimizerEvent) progress.Report(optimizerEvent);
        }, PollInterval, cancellationToken);
        if (status.State == CompileRunState.Failed && status.Budget is { Exhausted: true })
        {
            throw new CliException($"the LM budget ran out before the optimizer had a program to return: {CliRunner.FirstLine(status.Error ?? "")}", ExitCodes.Failure);
        }
        if (status.State != CompileRunState.Completed || status.ResultStateJson is null || status.BaselineScore is not { } before || status.OptimizedScore is not { } after)
        {
            throw new CliException($"the compile run {status.State.ToString().ToLowerInvariant()}{(status.Error is null ? "" : ": " + CliRunner.FirstLine(status.Error))}",
                ExitCodes.Failure);
        }

        if (status.Budget is { Exhausted: true })
        {
            await Console.Error.WriteLineAsync($"note: the LM budget ({request.Limits}) ran out; {request.Optimizer.Name} returned the best program found within it.");
        }
        // The run's own result: its predictors' LMs (a fine-tuned model) keep their endpoint, as the in-process compile saves them.
        var optimized = spec.Build(status.ResultStateJson, allowUnsafeLmState: true);
        await optimized.SaveAsync(request.OutPath, cancellationToken);
        new CompileSummary
        {
            Optimizer = request.Optimizer.Name,
            Params = request.Teleprompter.GetParams(),
            Module = request.Module,
            MetricName = request.MetricName,
            Model = request.Model,
            TrainSize = request.Trainset.Count,
            ValSize = request.Valset.Count,
            ValPath = request.ValPath,
            ScoreBefore = before,
            ScoreAfter = after,
            Limits = request.Limits,
            Run = request.Run,
            Optimized = optimized,
            OutPath = request.OutPath,
            RunId = runId,
        }.WithRunCounts(status).Write(Console.Out, request.Json);
        return ExitCodes.Success;
    }

    // The run's optimizer events back in the form the in-process progress display takes; the run's own phases
    // (baseline, completed) are not shown, as an in-process compile shows none for them either.
    private static OptimizerEvent? ToOptimizerEvent(RunProgressEvent e, OptimizerBudget compileSoFar) =>
        Enum.TryParse<OptimizerEventKind>(e.Kind, out var kind) && e.Optimizer is { } optimizer
            ? new OptimizerEvent
            {
                Optimizer = optimizer, Kind = kind, Trial = e.Trial, TotalTrials = e.TotalTrials, Score = e.Score, BestScore = e.BestScore,
                Message = e.Message, Budget = compileSoFar,
            }
            : null;
}
