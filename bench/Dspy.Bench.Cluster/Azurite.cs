using System.Diagnostics;

namespace Dspy.Bench.Cluster;

/// <summary>Azurite started and stopped through <c>scripts/azurite.sh</c> (in-memory data, free ports).</summary>
internal sealed class Azurite : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _state;

    private Azurite(string root, string state, string connectionString)
    {
        _root = root;
        _state = state;
        ConnectionString = connectionString;
    }

    /// <summary>The emulator's connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts an instance (installing azurite from npm on first use).</summary>
    public static async Task<Azurite> StartAsync(string root)
    {
        var state = Directory.CreateTempSubdirectory("dspy-bench-azurite-").FullName;
        await RunAsync(root, "start", state);
        return new Azurite(root, state, (await File.ReadAllTextAsync(Path.Combine(state, "connection-string"))).Trim());
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await RunAsync(_root, "stop", _state);
        Directory.Delete(_state, recursive: true);
    }

    private static async Task RunAsync(string root, string verb, string state)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        psi.ArgumentList.Add(Path.Combine(root, "scripts", "azurite.sh"));
        psi.ArgumentList.Add(verb);
        psi.ArgumentList.Add(state);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/azurite.sh {verb} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}
