using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Dspy.Client.Tests.Commands;

/// <summary>
/// <c>dspy eval</c> run as a real child process (<c>dotnet Dspy.Cli.dll</c>) on the bundled samples with the simulated
/// LM: the shipped demos must score clearly higher than no demos, which is the acceptance criterion.
/// </summary>
public sealed class EvalCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Intent_eval_with_the_shipped_demos_scores_clearly_higher_than_without()
    {
        var intent = Path.Combine(SamplesDirectory(), "intent");
        var signature = File.ReadAllText(Path.Combine(intent, "signature.txt")).Trim();
        var dev = Path.Combine(intent, "dev.jsonl");

        var none = await EvalAsync(signature, dev, demos: null);
        var withDemos = await EvalAsync(signature, dev, Path.Combine(intent, "demos.jsonl"));

        Assert.Equal(400, none.Total);
        Assert.Equal("sim", none.Lm);
        Assert.InRange(none.Score, 100.0 / 24, 45);
        Assert.True(withDemos.Score >= none.Score + 10, $"with demos {withDemos.Score}% vs without {none.Score}%");
    }

    [Fact]
    public async Task Arithmetic_eval_with_one_demo_per_template_scores_far_higher_than_without()
    {
        var arithmetic = Path.Combine(SamplesDirectory(), "arithmetic");
        var signature = File.ReadAllText(Path.Combine(arithmetic, "signature.txt")).Trim();
        var dev = Path.Combine(arithmetic, "dev.jsonl");

        var none = await EvalAsync(signature, dev, demos: null);
        var withDemos = await EvalAsync(signature, dev, Path.Combine(arithmetic, "demos.jsonl"));

        Assert.Equal(200, none.Total);
        Assert.True(withDemos.Score >= none.Score + 50, $"with demos {withDemos.Score}% vs without {none.Score}%");
    }

    private sealed record EvalResult(double Score, long Total, string Lm);

    private static async Task<EvalResult> EvalAsync(string signature, string data, string? demos)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Dspy.Cli.dll");
        Assert.True(File.Exists(cli), $"{cli} not found next to the test assembly");
        var cache = Directory.CreateTempSubdirectory("dspy-eval-test-");
        try
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { cli, "eval", "--signature", signature, "--data", data, "--metric", "exact_match", "--lm", "sim", "--json" })
            {
                start.ArgumentList.Add(arg);
            }
            if (demos is not null)
            {
                start.ArgumentList.Add("--demos");
                start.ArgumentList.Add(demos);
            }
            // A private cache folder, so the result cannot come from (or pollute) the user's cache.
            start.Environment["DSPY_CACHEDIR"] = cache.FullName;

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(cts.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await stderr}");

            using var json = JsonDocument.Parse(await stdout);
            var root = json.RootElement;
            Assert.Equal("exact_match", root.GetProperty("metric").GetString());
            return new EvalResult(root.GetProperty("score").GetDouble(), root.GetProperty("total").GetInt64(), root.GetProperty("lm").GetString()!);
        }
        finally
        {
            cache.Delete(recursive: true);
        }
    }

    /// <summary>The repository's <c>samples</c> folder: walk up from the test assembly to the folder with the solution.</summary>
    private static string SamplesDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dspy.Orleans.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "samples");
    }
}
