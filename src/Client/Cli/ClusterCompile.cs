using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dspy.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Dspy.Cli;

/// <summary>What <c>dspy compile --cluster</c> submits, parsed and checked by <see cref="CompileCommand"/>.</summary>
internal sealed record ClusterCompileRequest
{
    public required string Address { get; init; }
    public required OptimizerFactory Optimizer { get; init; }

    /// <summary>The optimizer's arguments as given (the LMs in it are placeholders: the silos use their own).</summary>
    public required OptimizerArguments Arguments { get; init; }

    /// <summary><c>--prompt-lm</c>: a model the silos build for proposals and reflection.</summary>
    public string? PromptModel { get; init; }

    /// <summary>Whether <c>--threads</c> was given (otherwise the silos' own setting applies).</summary>
    public bool ThreadsGiven { get; init; }
    public required Signature Signature { get; init; }
    public required string SignatureText { get; init; }
    public required string Module { get; init; }
    public string? ProgramPath { get; init; }
    public required string TrainPath { get; init; }
    public string? ValPath { get; init; }
    public required string MetricName { get; init; }
    public required string OutPath { get; init; }
    public bool Json { get; init; }

    /// <summary><c>--max-calls</c>, <c>--max-tokens</c>, <c>--max-cost</c>: the run's cluster budget (<see cref="CompileRunConfig.Budget"/>).</summary>
    public BudgetLimits Limits { get; init; } = BudgetLimits.None;
}

/// <summary>
/// <c>dspy compile --cluster HOST:PORT</c>: connects an Orleans client to the cluster's gateway, submits the compile to a
/// compile-run grain (<see cref="CompileRunClient"/>), follows its progress events on stderr, and saves the optimized
/// program the run stores. The silos run the program with their own LM (<c>Dspy:Grains:LmModel</c>).
/// </summary>
internal static class ClusterCompile
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Refuses the options a cluster run cannot honor (exit 2), naming the first one given.</summary>
    public static void RejectUnsupported(IEnumerable<(string Option, bool Given)> options)
    {
        foreach (var (option, given) in options)
        {
            if (!given) continue;
            var why = option switch
            {
                "--lm" or "--api-base" => "the silos run the program with their own LM (Dspy:Grains:LmModel, LmApiBase)",
                _ => "a cluster run does not support it",
            };
            throw new CliException($"{option} cannot be combined with --cluster: {why}.");
        }
    }

    public static async Task<int> RunAsync(ClusterCompileRequest request, CancellationToken cancellationToken)
    {
        var gateway = ParseAddress(request.Address);
        // The same checks as a local compile (an option the optimizer does not use is refused), before any data is read; the
        // silos check again when the run starts.
        var args = request.Arguments;
        // The LMs are placeholders: the silos check their own (a fine-tuning optimizer needs an openai/... model there).
        var teleprompter = request.Optimizer.Create(args with { TaskLmSetting = null, PromptLm = request.PromptModel is null ? null : LmSelection.Create("sim") });
        var trainset = DatasetInput.Read(request.Signature, request.TrainPath, "--train");
        var valset = request.ValPath is null ? null : DatasetInput.Read(request.Signature, request.ValPath, "--val");
        var spec = new ProgramSpec(request.Module, request.SignatureText);
        var start = ProgramFactory.Create(request.Module, request.Signature, request.ProgramPath, [], false);
        spec.EnsureMatches(start);
        var initialState = request.ProgramPath is null ? null : PythonJson.Dumps(start.DumpState());

        using var host = await ConnectAsync(gateway, request.Address, cancellationToken);
        var client = new CompileRunClient(host.Services.GetRequiredService<IClusterClient>());
        var runId = "cli-" + Guid.NewGuid().ToString("N");
        try
        {
            await client.SubmitAsync(runId, spec, trainset, valset, request.MetricName, request.Optimizer.Name,
                c => c.WithOptimizer(args, request.PromptModel, request.ThreadsGiven ? args.NumThreads : null, request.Limits, initialState));
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw new CliException($"--cluster: lost the cluster at {request.Address}: {CliRunner.FirstLine(ex.Message)}", ExitCodes.Failure, ex);
        }
        await Console.Error.WriteLineAsync($"submitted run {runId} to the cluster at {request.Address}");

        var progress = new RunProgressWriter(Console.Error, !Console.IsErrorRedirected, request.Optimizer.Name);
        var status = await client.WaitAsync(runId, progress.Report, cancellationToken: cancellationToken);
        progress.EndLine();
        if (status.State == CompileRunState.Failed && status.Budget is { Exhausted: true })
        {
            throw new CliException($"the LM budget ran out before the optimizer had a program to return: {CliRunner.FirstLine(status.Error ?? "")}", ExitCodes.Failure);
        }
        if (status.State != CompileRunState.Completed || status.ResultStateJson is null || status.BaselineScore is not { } before || status.OptimizedScore is not { } after)
        {
            throw new CliException($"the cluster run {runId} {status.State.ToString().ToLowerInvariant()}{(status.Error is null ? "" : ": " + CliRunner.FirstLine(status.Error))}",
                ExitCodes.Failure);
        }

        if (status.Budget is { Exhausted: true })
        {
            await Console.Error.WriteLineAsync($"note: the LM budget ({request.Limits}) ran out; {request.Optimizer.Name} returned the best program found within it.");
        }
        // The run's own result: its predictors' LMs keep their endpoint, as a local compile saves them.
        var optimized = spec.Build(status.ResultStateJson, allowUnsafeLmState: true);
        await optimized.SaveAsync(request.OutPath, cancellationToken);
        var settings = new Dictionary<string, object?>(teleprompter.GetParams(), StringComparer.Ordinal);
        settings.Remove("num_threads"); // the silos' own parallelism unless --threads was given; it never changes a result
        // The same summary as a local compile, with the LM calls the run counted on the silos.
        new CompileSummary
        {
            Optimizer = request.Optimizer.Name,
            Params = settings,
            Module = request.Module,
            MetricName = request.MetricName,
            Model = status.LmModel ?? "the silos' LM",
            TrainSize = trainset.Count,
            ValSize = valset?.Count ?? trainset.Count,
            ValPath = request.ValPath,
            ScoreBefore = before,
            ScoreAfter = after,
            Limits = request.Limits,
            Optimized = optimized,
            OutPath = request.OutPath,
            RunId = runId,
            Cluster = request.Address,
            Attempts = status.Attempts,
        }.WithRunCounts(status).Write(Console.Out, request.Json);
        await host.StopAsync(CancellationToken.None);
        return ExitCodes.Success;
    }

    private static async Task<IHost> ConnectAsync(IPEndPoint gateway, string address, CancellationToken cancellationToken)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c =>
        {
            c.UseStaticClustering(gateway);
            c.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "dspy";
                o.ServiceId = "dspy";
            });
        });
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var why = ex is OperationCanceledException ? $"no answer within {ConnectTimeout.TotalSeconds:0} s" : CliRunner.FirstLine(ex.Message);
            throw new CliException($"--cluster: cannot reach the cluster gateway at {address}: {why}", ExitCodes.Failure, ex);
        }
    }

    private static IPEndPoint ParseAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new CliException($"--cluster: expected HOST:PORT (the gateway, e.g. 127.0.0.1:30000), got '{address}'.");
        var host = address[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        try
        {
            var resolved = Dns.GetHostAddresses(host);
            var chosen = resolved.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? resolved.FirstOrDefault();
            return chosen is not null ? new IPEndPoint(chosen, port) : throw new CliException($"--cluster: '{host}' has no address.", ExitCodes.Failure);
        }
        catch (SocketException ex)
        {
            throw new CliException($"--cluster: cannot resolve '{host}': {ex.Message}", ExitCodes.Failure);
        }
    }

    private static bool IsConnectionFailure(Exception ex) =>
        ex is SiloUnavailableException or TimeoutException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException;

    private static string Percent(double? score) => score is { } s ? PythonFloat.Repr(s) + "%" : "-";

    /// <summary>The run's progress events on stderr: one line per phase, new best and finish; a redrawn trial line on a terminal.</summary>
    private sealed class RunProgressWriter(TextWriter writer, bool interactive, string optimizer)
    {
        private bool _drawn;

        public void Report(RunProgressEvent e, CompileRunStatus now)
        {
            // The compile phase's provider calls on all silos as counted when the event was read.
            var calls = RunPhases.Of(now.LmUsage, RunPhases.Compile).Calls;
            string? line = e.Kind switch
            {
                "baseline" => $"before: {Percent(e.Score)}",
                "resumed" => $"the run resumed on another silo ({e.Message})",
                "completed" => $"completed: optimized {Percent(e.Score)}",
                "failed" => $"failed: {e.Message}",
                nameof(OptimizerEventKind.NewBest) or nameof(OptimizerEventKind.Finished) => $"{optimizer}: {e.Message} ({calls} LM calls)",
                _ => null,
            };
            if (line is null)
            {
                if (interactive && e.Kind == nameof(OptimizerEventKind.TrialFinished))
                {
                    writer.Write($"\r{optimizer}: trial {e.Trial}{(e.BestScore is { } b ? ", best " + PythonFloat.Repr(b) : "")}, {e.Message} ({calls} LM calls)   ");
                    _drawn = true;
                }
                return;
            }
            EndLine();
            writer.WriteLine(line);
        }

        public void EndLine()
        {
            if (_drawn) writer.WriteLine();
            _drawn = false;
        }
    }
}
