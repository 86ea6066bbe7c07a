using System.Text.Json;

namespace Dspy.Client.Tests.Commands;

/// <summary><c>dspy compile --optimizer gepa|simba</c> as a child process with the simulated LM (scores are sim scores).</summary>
public sealed class GepaCompileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-gepa-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sample(string task, string split) => Path.Combine(CliProcess.RepoRoot, "samples", task, split + ".jsonl");

    private static string Signature(string task) => File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "samples", task, "signature.txt")).Trim();

    private string Head(string task, string split, int count)
    {
        var path = Path.Combine(_dir, $"{task}-{split}-{count}.jsonl");
        File.WriteAllLines(path, File.ReadLines(Sample(task, split)).Where(l => l.Length > 0).Take(count));
        return path;
    }

    [Fact]
    public async Task Gepa_light_on_arithmetic_improves_the_dev_score()
    {
        var output = Path.Combine(_dir, "gepa.json");

        var result = await CliProcess.RunAsync("compile", "-s", Signature("arithmetic"), "--train", Head("arithmetic", "train", 20),
            "--val", Head("arithmetic", "dev", 60), "--metric", "exact_match_feedback", "--optimizer", "gepa", "--lm", "sim", "--out", output, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        var before = summary.GetProperty("score_before").GetDouble();
        var after = summary.GetProperty("score_after").GetDouble();
        Assert.True(after > before, $"after {after} should beat before {before}");
        Assert.Equal("gepa", summary.GetProperty("optimizer").GetString());
        Assert.Equal("light", summary.GetProperty("params").GetProperty("auto").GetString());
        // GEPA scores on the 20 training examples (no valset is passed to the optimizer): 4 * 20 + 380 = 460 metric calls
        // at most, one task LM call each, plus one reflection call per proposal (at most (460 - 20) / 6).
        Assert.InRange(summary.GetProperty("lm_calls").GetProperty("compile").GetInt64(), 20, 460 + 74);
    }

    [Theory]
    [InlineData("gepa", "--max-demos", "3", "do not apply to gepa")]
    [InlineData("gepa", "--num-candidates", "3", "--num-candidates does not apply to gepa")]
    [InlineData("simba", "--auto", "light", "--auto does not apply to simba")]
    public async Task Options_an_optimizer_does_not_use_are_refused(string optimizer, string option, string value, string message)
    {
        var result = await CliProcess.RunAsync("compile", "-s", "question -> answer: int", "--train", Sample("arithmetic", "train"),
            "--metric", "exact_match", "--optimizer", optimizer, option, value, "--lm", "sim", "--out", Path.Combine(_dir, "x.json"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simba_runs_from_the_cli()
    {
        var output = Path.Combine(_dir, "simba.json");

        var result = await CliProcess.RunAsync("compile", "-s", Signature("intent"), "--train", Head("intent", "train", 40),
            "--val", Head("intent", "dev", 40), "--metric", "exact_match_feedback", "--optimizer", "simba", "--num-candidates", "3", "--lm", "sim",
            "--out", output, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("simba", summary.GetProperty("optimizer").GetString());
        Assert.Equal(3, summary.GetProperty("params").GetProperty("num_candidates").GetInt32());
        Assert.True(File.Exists(output));
    }
}
