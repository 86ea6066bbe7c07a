using System.Diagnostics;

namespace Dspy.Grains.Tests;

/// <summary>
/// Starts Azurite (the Azure Storage emulator from npm) through scripts/azurite.sh on free ports with in-memory data,
/// and stops it afterwards. It installs azurite into artifacts/tools on first use; nothing is assumed to be running.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("dspy-azurite-").FullName;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await RunScriptAsync("start");
        ConnectionString = (await File.ReadAllTextAsync(Path.Combine(_stateDir, "connection-string"))).Trim();
    }

    public async Task DisposeAsync()
    {
        await RunScriptAsync("stop");
        Directory.Delete(_stateDir, recursive: true);
    }

    private async Task RunScriptAsync(string verb)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Samples.RepositoryRoot,
        };
        psi.ArgumentList.Add(Path.Combine(Samples.RepositoryRoot, "scripts", "azurite.sh"));
        psi.ArgumentList.Add(verb);
        psi.ArgumentList.Add(_stateDir);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/azurite.sh {verb} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
