using System.Diagnostics;

namespace Dspy.Client.Tests.Commands;

/// <summary>Runs the real <c>dspy</c> CLI (Dspy.Cli.dll, copied next to the tests) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>The repository root (the folder holding Dspy.Orleans.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dspy {string.Join(' ', args)} did not finish.");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Starts the CLI and returns the running process (its output redirected, unread), so a test can kill it.</summary>
    public static Process Start(IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Dspy.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        // Tests never depend on a provider key or a user's cache.
        start.Environment["OPENAI_API_KEY"] = null;
        start.Environment["DSPY_LM"] = null;
        start.Environment["DSPY_CACHEDIR"] = Path.Combine(Path.GetTempPath(), "dspy-cli-tests-" + Guid.NewGuid().ToString("N"));
        if (environment is not null)
        {
            foreach (var (k, v) in environment) start.Environment[k] = v;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the dspy CLI.");
        process.StandardInput.Close();
        return process;
    }

    /// <summary><see cref="Start"/>, with the output read away so the process never blocks on a full pipe.</summary>
    public static Process StartDetached(IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        var process = Start(args, environment);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dspy.Orleans.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Dspy.Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
