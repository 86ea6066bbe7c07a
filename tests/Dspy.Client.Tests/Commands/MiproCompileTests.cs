using System.Text.Json;
using Xunit.Abstractions;

namespace Dspy.Client.Tests.Commands;

/// <summary><c>dspy compile --optimizer mipro|copro</c> as a child process on small arithmetic subsets (sim scores).</summary>
public sealed class MiproCompileTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-compile-mipro-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Subset(string split, int count)
    {
        var path = Path.Combine(_dir, $"{split}-{count}.jsonl");
        File.WriteAllLines(path, File.ReadLines(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", split + ".jsonl")).Where(l => l.Length > 0).Take(count));
        return path;
    }

    [Theory]
    [InlineData("mipro", 30, 60)]
    [InlineData("copro", 20, 40)]
    public async Task Compile_improves_arithmetic_on_the_sim(string optimizer, int train, int val)
    {
        var output = Path.Combine(_dir, optimizer + ".json");
        // COPRO's proposer sees training examples only when asked (--max-labeled, not DSPy's default; the sim knows no task).
        string[] extra = optimizer == "copro" ? ["--max-labeled", "8"] : [];
        var result = await CliProcess.RunAsync(
        [
            "compile", "-s", "question -> answer: int", "--train", Subset("train", train), "--val", Subset("dev", val), "--metric", "exact_match",
            "--optimizer", optimizer, "--lm", "sim", "--out", output, "--json", .. extra,
        ]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(output));
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        var before = summary.GetProperty("score_before").GetDouble();
        var after = summary.GetProperty("score_after").GetDouble();
        log.WriteLine($"{optimizer} on arithmetic (sim, {val} dev): {before}% -> {after}%, {summary.GetProperty("lm_calls").GetProperty("compile").GetInt64()} LM calls to compile");
        Assert.True(after > before, $"after {after} should beat before {before}");
    }

    [Fact]
    public async Task Flags_that_do_not_apply_are_refused()
    {
        var mipro = await CliProcess.RunAsync("compile", "-s", "question -> answer: int", "--train", Subset("train", 10), "--metric", "exact_match",
            "--optimizer", "miprov2", "--lm", "sim", "--max-rounds", "2", "--out", Path.Combine(_dir, "x.json"));
        Assert.Equal(2, mipro.ExitCode);
        Assert.Contains("--max-rounds does not apply to", mipro.Stderr, StringComparison.Ordinal);
        var copro = await CliProcess.RunAsync("compile", "-s", "question -> answer: int", "--train", Subset("train", 10), "--metric", "exact_match",
            "--optimizer", "copro", "--lm", "sim", "--auto", "light", "--out", Path.Combine(_dir, "y.json"));
        Assert.Equal(2, copro.ExitCode);
        Assert.Contains("--auto does not apply to copro", copro.Stderr, StringComparison.Ordinal);
    }
}
