using System.Text.Json;
using Dspy.Cli;
using Xunit.Abstractions;

namespace Dspy.Client.Tests.Commands;

/// <summary>
/// <c>dspy compile</c> with run folders, budgets and dry runs, as child processes on a small arithmetic sample with the
/// simulated LM (sim scores). Provider calls are counted by an in-process <c>sim serve</c> server the CLI talks to.
/// </summary>
public sealed class CompileRunTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-compile-run-").FullName;
    private readonly string _train;
    private readonly string _val;
    private static readonly string ArithmeticSignature = File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", "signature.txt")).Trim();

    public CompileRunTests(ITestOutputHelper output)
    {
        _output = output;
        _train = Path.Combine(_dir, "train.jsonl");
        _val = Path.Combine(_dir, "val.jsonl");
        File.WriteAllLines(_train, File.ReadLines(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", "train.jsonl")).Take(40));
        File.WriteAllLines(_val, File.ReadLines(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", "dev.jsonl")).Take(40));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Compile(string lm, string? apiBase, string output, string threads, params string[] extra)
    {
        var args = new List<string>
        {
            "compile", "-s", ArithmeticSignature, "--train", _train, "--val", _val, "--metric", "exact_match", "--optimizer", "random-search",
            "--max-labeled", "8", "--lm", lm, "--threads", threads, "--out", output, "--json",
        };
        if (!extra.Contains("--num-candidates")) args.AddRange(["--num-candidates", "4"]);
        if (apiBase is not null) args.AddRange(["--api-base", apiBase]);
        args.AddRange(extra);
        return [.. args];
    }

    [Fact]
    public async Task A_compile_killed_with_sigkill_resumes_from_its_run_folder_byte_identically_and_repeats_at_most_2_percent_of_its_calls()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var apiBase = server.ApiBase.ToString();

        var reference = Path.Combine(_dir, "reference.json");
        var full = await CliProcess.RunAsync(Compile("openai/sim", apiBase, reference, "1", "--run-dir", Path.Combine(_dir, "run-reference")));
        Assert.True(full.ExitCode == 0, full.Stderr);
        var total = server.Stats.RequestsReceived;
        Assert.True(total > 300, $"{total} calls");

        // Same seed and data with 8 threads: the same program, byte for byte.
        var eight = Path.Combine(_dir, "eight.json");
        var threaded = await CliProcess.RunAsync(Compile("openai/sim", apiBase, eight, "8", "--run-dir", Path.Combine(_dir, "run-eight")));
        Assert.True(threaded.ExitCode == 0, threaded.Stderr);
        Assert.Equal(await File.ReadAllBytesAsync(reference), await File.ReadAllBytesAsync(eight));

        // Killed at a random point between 10% and 90% of the calls, then re-run with the same folder.
        server.Reset();
        var killAt = new Random().Next((int)(total / 10), (int)(total * 9 / 10));
        var runDir = Path.Combine(_dir, "run-killed");
        var resumed = Path.Combine(_dir, "resumed.json");
        using (var process = CliProcess.StartDetached(Compile("openai/sim", apiBase, resumed, "1", "--run-dir", runDir)))
        {
            while (server.Stats.RequestsReceived < killAt && !process.HasExited) await Task.Delay(5);
            Assert.False(process.HasExited, $"the compile finished before {killAt} calls");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var beforeKill = server.Stats.RequestsReceived;
        Assert.False(File.Exists(resumed));

        var rerun = await CliProcess.RunAsync(Compile("openai/sim", apiBase, resumed, "1", "--run-dir", runDir));
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        Assert.True(JsonDocument.Parse(rerun.Stdout).RootElement.GetProperty("resumed").GetBoolean());

        var repeated = server.Stats.RequestsReceived - total;
        _output.WriteLine($"sim: {total} provider calls uninterrupted; killed after {beforeKill}; the re-run repeated {repeated} ({100.0 * repeated / total:0.##}%)");
        Assert.True(repeated <= total * 0.02, $"killed after {beforeKill} of {total} calls; the re-run repeated {repeated}");
        Assert.Equal(await File.ReadAllBytesAsync(reference), await File.ReadAllBytesAsync(resumed));
    }

    [Fact]
    public async Task A_dry_run_projects_the_compile_calls_within_ten_percent_and_spends_nothing()
    {
        var output = Path.Combine(_dir, "dry.json");
        var dry = await CliProcess.RunAsync(Compile("sim", null, output, "4", "--dry-run"));
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.False(File.Exists(output));
        var projected = JsonDocument.Parse(dry.Stdout).RootElement.GetProperty("projected").GetProperty("calls").GetInt64();

        var real = await CliProcess.RunAsync(Compile("sim", null, output, "4"));
        Assert.True(real.ExitCode == 0, real.Stderr);
        var calls = JsonDocument.Parse(real.Stdout).RootElement.GetProperty("lm_calls").GetProperty("compile").GetInt64();
        Assert.InRange(projected, calls * 0.9, calls * 1.1);
    }

    [Fact]
    public async Task A_call_budget_is_never_exceeded_and_the_best_program_within_it_is_saved()
    {
        var output = Path.Combine(_dir, "budget.json");
        var result = await CliProcess.RunAsync(Compile("sim", null, output, "4", "--max-calls", "150"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        var budget = summary.GetProperty("budget");
        Assert.InRange(budget.GetProperty("calls").GetInt64(), 1, 150);
        Assert.InRange(summary.GetProperty("lm_calls").GetProperty("compile").GetInt64(), 1, 150);
        Assert.True(budget.GetProperty("exhausted").GetBoolean());
        Assert.Contains("returned the best program found within it", result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public async Task A_run_folder_of_another_configuration_is_refused()
    {
        var runDir = Path.Combine(_dir, "run");
        var first = await CliProcess.RunAsync(Compile("sim", null, Path.Combine(_dir, "a.json"), "4", "--run-dir", runDir, "--num-candidates", "1"));
        Assert.True(first.ExitCode == 0, first.Stderr);

        var second = await CliProcess.RunAsync(Compile("sim", null, Path.Combine(_dir, "b.json"), "4", "--run-dir", runDir, "--num-candidates", "1", "--max-demos", "2"));

        Assert.Equal(2, second.ExitCode);
        var line = Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--run-dir", line, StringComparison.Ordinal);
        Assert.Contains("another configuration", line, StringComparison.Ordinal);
        Assert.Contains("max_bootstrapped_demos", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-calls", "0", "--max-calls must be at least 1")]
    [InlineData("--max-tokens", "-5", "--max-tokens must be at least 1")]
    [InlineData("--max-cost", "0", "--max-cost must be a positive number")]
    [InlineData("--auto", "extreme", "--auto must be light, medium or heavy")]
    [InlineData("--auto", "light", "--auto does not apply to random-search")]
    [InlineData("--prompt-lm", "sim", "--prompt-lm does not apply to random-search")]
    public async Task Bad_budget_and_optimizer_values_are_one_line_errors_with_exit_code_2(string option, string value, string expected)
    {
        var result = await CliProcess.RunAsync(Compile("sim", null, Path.Combine(_dir, "x.json"), "4", option, value));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
    }

    [Fact]
    public async Task A_compile_can_start_from_a_saved_program()
    {
        var start = Path.Combine(_dir, "start.json");
        var labeled = await CliProcess.RunAsync("compile", "-s", ArithmeticSignature, "--train", _train, "--metric", "exact_match",
            "--optimizer", "labeled-fewshot", "--max-labeled", "2", "--lm", "sim", "--out", start);
        Assert.True(labeled.ExitCode == 0, labeled.Stderr);

        var output = Path.Combine(_dir, "from-program.json");
        var result = await CliProcess.RunAsync(Compile("sim", null, output, "4", "--program", start, "--num-candidates", "1"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        // The "before" score is the saved program's (with its two demos), as dspy eval --program measures it.
        var eval = await CliProcess.RunAsync("eval", "-s", ArithmeticSignature, "--data", _val, "--metric", "exact_match", "--lm", "sim",
            "--program", start, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Equal(JsonDocument.Parse(eval.Stdout).RootElement.GetProperty("score").GetDouble(), summary.GetProperty("score_before").GetDouble());

        var missing = await CliProcess.RunAsync(Compile("sim", null, output, "4", "--program", Path.Combine(_dir, "nope.json")));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--program: cannot read", missing.Stderr, StringComparison.Ordinal);
    }
}
