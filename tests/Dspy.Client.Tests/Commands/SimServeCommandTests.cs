using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Dspy.Client.Tests.Commands;

/// <summary><c>dspy sim serve</c> as a real process, used by another real <c>dspy</c> process through the <c>openai/</c> provider.</summary>
public class SimServeCommandTests
{
    [Fact]
    public async Task Serves_the_simulated_lm_to_the_openai_provider_until_stopped()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = CliProcess.RepoRoot,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Dspy.Cli.dll"), "sim", "serve", "--port", "0", "--rpm", "600" })
        {
            start.ArgumentList.Add(a);
        }
        using var server = Process.Start(start)!;
        try
        {
            var apiBase = await ReadApiBaseAsync(server);

            var result = await CliProcess.RunAsync("predict", "--lm", "openai/sim", "--api-base", apiBase,
                "-s", "text -> label: Literal['check_balance', 'book_flight']", "--inputs", "{\"text\": \"book me a flight to Oslo\"}");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("book_flight", JsonDocument.Parse(result.Stdout).RootElement.GetProperty("label").GetString());
            using var http = new HttpClient();
            var stats = await http.GetFromJsonAsync<JsonElement>(new Uri(new Uri(apiBase), "/sim/stats"));
            Assert.Equal(1, stats.GetProperty("served").GetInt64());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Invalid_limits_are_rejected()
    {
        var result = await CliProcess.RunAsync("sim", "serve", "--port", "0", "--fail-rate", "2");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> ReadApiBaseAsync(Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var at = line.IndexOf("http://", StringComparison.Ordinal);
            if (line.Contains("serving", StringComparison.Ordinal) && at >= 0) return line[at..].Trim();
        }
        throw new InvalidOperationException("dspy sim serve exited before printing its address: " + await server.StandardError.ReadToEndAsync());
    }
}
