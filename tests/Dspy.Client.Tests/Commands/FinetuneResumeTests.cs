using System.Text.Json;
using Dspy.Cli;
using Xunit.Abstractions;

namespace Dspy.Client.Tests.Commands;

/// <summary>
/// <c>dspy compile --optimizer bootstrap-finetune --run-dir</c> killed while its fine-tuning job runs: the re-run with the
/// same folder re-attaches to the job (the sim server counts the jobs created) and saves the uninterrupted compile's
/// program, on the embedded silo and in-process.
/// </summary>
public sealed class FinetuneResumeTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-finetune-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Signature => File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "samples", "intent", "signature.txt")).Trim();

    private string Subset(string split, int count)
    {
        var path = Path.Combine(_dir, $"{split}-{count}.jsonl");
        File.WriteAllLines(path, File.ReadLines(Path.Combine(CliProcess.RepoRoot, "samples", "intent", split + ".jsonl")).Where(l => l.Length > 0).Take(count));
        return path;
    }

    private string[] Compile(string apiBase, string output, string runDir) =>
    [
        "compile", "-s", Signature, "--train", Subset("train", 40), "--val", Subset("dev", 24), "--metric", "exact_match",
        "--optimizer", "bootstrap-finetune", "--max-labeled", "16", "--lm", "openai/sim", "--api-base", apiBase, "--threads", "4",
        "--out", output, "--json", "--run-dir", runDir,
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_compile_killed_while_its_job_runs_re_attaches_to_the_job_on_the_re_run(bool inProcess)
    {
        // The job runs for a while whoever reads it, as a real one does, so the kill lands while it runs.
        await using var server = await SimServer.StartAsync(new SimServerOptions { FineTuningDuration = TimeSpan.FromSeconds(6) }, new SimChatClient());
        var api = server.ApiBase.ToString();
        var environment = new Dictionary<string, string?> { [CompileCommand.InProcessVariable] = inProcess ? "1" : null };

        var reference = Path.Combine(_dir, "reference.json");
        var full = await CliProcess.RunAsync(Compile(api, reference, Path.Combine(_dir, "run-reference")), environment);
        Assert.True(full.ExitCode == 0, full.Stderr);
        var jobs = server.FineTuningJobsCreated;
        Assert.Equal(1, jobs);

        var runDir = Path.Combine(_dir, "run-killed");
        var resumed = Path.Combine(_dir, "resumed.json");
        using (var process = CliProcess.StartDetached(Compile(api, resumed, runDir), environment))
        {
            while (server.FineTuningJobsCreated == jobs && !process.HasExited) await Task.Delay(10);
            Assert.False(process.HasExited, "the compile ended before it started its job");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        Assert.Equal(jobs + 1, server.FineTuningJobsCreated);
        Assert.NotEqual("succeeded", server.FineTuningJobs[^1].Status);
        Assert.False(File.Exists(resumed));

        var rerun = await CliProcess.RunAsync(Compile(api, resumed, runDir), environment);

        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        Assert.True(JsonDocument.Parse(rerun.Stdout).RootElement.GetProperty("resumed").GetBoolean());
        Assert.Equal(jobs + 1, server.FineTuningJobsCreated); // no second job for the killed compile
        Assert.Contains($"(job {server.FineTuningJobs[^1].Id} resumed)", rerun.Stderr, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(reference), await File.ReadAllBytesAsync(resumed));
        // One record (a temporary file the kill may have caught mid-write is not one: it is hidden and never read).
        var record = JsonDocument.Parse(await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(Path.Combine(runDir, "finetune-jobs"), "*.json")))).RootElement;
        Assert.Equal("succeeded", record.GetProperty("state").GetString());
        Assert.Equal(server.FineTuningJobs[^1].Id, record.GetProperty("job_id").GetString());
        log.WriteLine($"{(inProcess ? "in-process" : "embedded")}: killed after job {server.FineTuningJobs[^1].Id} was created; the re-run re-attached "
            + $"({server.FineTuningJobsCreated} jobs created in all, one of them the uninterrupted reference's)");
    }
}
