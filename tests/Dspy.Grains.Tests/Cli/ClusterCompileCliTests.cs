using System.Diagnostics;
using System.Text.Json;
using Dspy.Cli;
using Dspy.Grains.Tests.Silo;

namespace Dspy.Grains.Tests.Cli;

/// <summary><c>dspy compile --cluster</c>: the real CLI process against a real silo process.</summary>
public sealed class ClusterCompileCliTests
{
    [Theory]
    [InlineData("bootstrap-fewshot", "--max-demos 2 --max-labeled 3 --seed 7", true)]
    [InlineData("random-search", "--max-demos 2 --num-candidates 2", false)]
    [InlineData("labeled-fewshot", "--max-labeled 2 --seed 3", true)]
    [InlineData("mipro", "--auto light --parallel-trials 2 --seed 5", true)]
    [InlineData("knn-fewshot", "--max-demos 2 --seed 3", true)]
    public async Task Compile_on_a_silo_process_saves_the_program_a_local_compile_saves(string optimizer, string options, bool withVal)
    {
        var dir = Directory.CreateTempSubdirectory("dspy-cluster-cli-").FullName;
        try
        {
            var train = Path.Combine(dir, "train.jsonl");
            await File.WriteAllLinesAsync(train, File.ReadLines(Path.Combine(RepoRoot, "samples", "arithmetic", "train.jsonl")).Take(12));
            var val = Path.Combine(dir, "val.jsonl");
            await File.WriteAllLinesAsync(val, File.ReadLines(Path.Combine(RepoRoot, "samples", "arithmetic", "dev.jsonl")).Take(6));
            string[] common =
            [
                "compile", "--signature", "question -> answer: int", "--train", train, .. (withVal ? new[] { "--val", val } : []),
                "--metric", "exact_match", "--optimizer", optimizer, .. options.Split(' '),
            ];

            var localOut = Path.Combine(dir, "local.json");
            var local = await RunCliAsync([.. common, "--lm", "sim", "--out", localOut, "--json"], dir);
            Assert.True(local.ExitCode == 0, local.Stderr);

            await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["DSPY_CACHEDIR"] = Path.Combine(dir, "silo-cache") });
            await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
            var clusterOut = Path.Combine(dir, "cluster.json");
            var cluster = await RunCliAsync([.. common, "--cluster", $"127.0.0.1:{silo.GatewayPort}", "--out", clusterOut, "--json"], dir);
            Assert.True(cluster.ExitCode == 0, cluster.Stderr + "\n--- silo ---\n" + silo.Output);

            Assert.Equal(await File.ReadAllBytesAsync(localOut), await File.ReadAllBytesAsync(clusterOut));
            // The same scores before and after, the same demos and, both with a fresh LM cache, the same provider calls in
            // each phase (counted on the silo) as the local run's summary; every field of it is there.
            using var localJson = JsonDocument.Parse(local.Stdout);
            using var clusterJson = JsonDocument.Parse(cluster.Stdout);
            foreach (var key in new[] { "score_before", "score_after", "demos", "train_size", "val_size", "lm_calls", "lm", "metric", "val_source" })
            {
                Assert.Equal(localJson.RootElement.GetProperty(key).GetRawText(), clusterJson.RootElement.GetProperty(key).GetRawText());
            }
            Assert.All(localJson.RootElement.EnumerateObject(), f => Assert.True(clusterJson.RootElement.TryGetProperty(f.Name, out _), f.Name));
            Assert.Equal("cluster", clusterJson.RootElement.GetProperty("silo").GetString());
            var calls = clusterJson.RootElement.GetProperty("lm_calls");
            Assert.True(calls.GetProperty("before").GetInt64() > 0, calls.GetRawText());
            // Without limits the budget fields report the compile phase's use, as locally.
            Assert.Equal(calls.GetProperty("compile").GetInt64(), clusterJson.RootElement.GetProperty("budget").GetProperty("calls").GetInt64());
            // The optimizer's settings, but the thread count: the silos' own sets the parallelism (never the result).
            var localParams = localJson.RootElement.GetProperty("params").EnumerateObject().Where(p => p.Name != "num_threads").Select(p => (p.Name, p.Value.GetRawText()));
            var clusterParams = clusterJson.RootElement.GetProperty("params").EnumerateObject().Select(p => (p.Name, p.Value.GetRawText()));
            Assert.Equal(localParams, clusterParams);
            // Demo optimizers must have found demos; MIPROv2 may pick the zero-shot candidate on 12 examples, and KNNFewShot
            // saves the student (its demos are chosen on each call; its after-score, equal above, is where they show).
            if (optimizer is not ("mipro" or "knn-fewshot")) Assert.True(clusterJson.RootElement.GetProperty("demos").EnumerateObject().Single().Value.GetInt32() > 0);
            Assert.Contains($"\"cluster\": \"127.0.0.1:{silo.GatewayPort}\"", cluster.Stdout, StringComparison.Ordinal);
            Assert.Contains("submitted run cli-", cluster.Stderr, StringComparison.Ordinal);
            Assert.Contains("completed: optimized", cluster.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Bootstrap_finetune_on_a_silo_process_with_an_openai_model_saves_the_program_a_local_compile_saves()
    {
        var dir = Directory.CreateTempSubdirectory("dspy-cluster-cli-").FullName;
        try
        {
            await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
            var api = server.ApiBase.ToString();
            var train = Path.Combine(dir, "train.jsonl");
            await File.WriteAllLinesAsync(train, File.ReadLines(Path.Combine(RepoRoot, "samples", "arithmetic", "train.jsonl")).Take(24));
            var val = Path.Combine(dir, "val.jsonl");
            await File.WriteAllLinesAsync(val, File.ReadLines(Path.Combine(RepoRoot, "samples", "arithmetic", "dev.jsonl")).Take(8));
            string[] common =
            [
                "compile", "--signature", "question -> answer: int", "--train", train, "--val", val, "--metric", "exact_match",
                "--optimizer", "bootstrap-finetune", "--max-labeled", "16", "--json",
            ];

            var localOut = Path.Combine(dir, "local.json");
            var local = await RunCliAsync([.. common, "--lm", "openai/sim", "--api-base", api, "--out", localOut], dir);
            Assert.True(local.ExitCode == 0, local.Stderr);

            // The silo's LM is the openai/sim model on the same server: it runs the fine-tuning job and the fine-tuned model.
            await using var silo = SiloProcess.Start(new Dictionary<string, string>
            {
                ["DSPY_CACHEDIR"] = Path.Combine(dir, "silo-cache"), ["Dspy__Grains__LmModel"] = "openai/sim", ["Dspy__Grains__LmApiBase"] = api,
            });
            await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
            var clusterOut = Path.Combine(dir, "cluster.json");
            var cluster = await RunCliAsync([.. common, "--cluster", $"127.0.0.1:{silo.GatewayPort}", "--out", clusterOut], dir);
            Assert.True(cluster.ExitCode == 0, cluster.Stderr + "\n--- silo ---\n" + silo.Output);

            Assert.Equal(await File.ReadAllBytesAsync(localOut), await File.ReadAllBytesAsync(clusterOut));
            Assert.Contains("\"model\": \"openai/ft:sim:dspy-sim::", await File.ReadAllTextAsync(clusterOut), StringComparison.Ordinal);
            using var localJson = JsonDocument.Parse(local.Stdout);
            using var clusterJson = JsonDocument.Parse(cluster.Stdout);
            foreach (var key in new[] { "score_before", "score_after", "demos", "lm_calls" })
            {
                Assert.Equal(localJson.RootElement.GetProperty(key).GetRawText(), clusterJson.RootElement.GetProperty(key).GetRawText());
            }
            // The same traces gave the same training file, so both jobs named the same model.
            Assert.Single(server.FineTunedModels);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public Task Fine_tuning_on_silos_whose_LM_is_not_an_openai_model_is_refused_with_exit_2() => WithSiloAsync(async (dir, train, silo) =>
    {
        var result = await RunCliAsync(
        [
            "compile", "--signature", "question -> answer: int", "--train", train, "--metric", "exact_match", "--optimizer", "better-together",
            "--cluster", $"127.0.0.1:{silo.GatewayPort}", "--out", Path.Combine(dir, "out.json"),
        ], dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: better-together fine-tunes the task LM through OpenAI's fine-tuning API, so the silos' Dspy:Grains:LmModel must be "
            + "an openai/... model on a server that fine-tunes (got 'sim')", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "out.json")));
    });

    [Fact]
    public Task A_call_limit_is_the_runs_cluster_budget_and_is_never_exceeded() => WithSiloAsync(async (dir, train, silo) =>
    {
        var result = await RunCliAsync(
        [
            "compile", "--signature", "question -> answer: int", "--train", train, "--metric", "exact_match", "--optimizer", "bootstrap-fewshot",
            "--max-calls", "5", "--cluster", $"127.0.0.1:{silo.GatewayPort}", "--out", Path.Combine(dir, "out.json"), "--json",
        ], dir);
        Assert.True(result.ExitCode == 0, result.Stderr + "\n--- silo ---\n" + silo.Output);
        using var json = JsonDocument.Parse(result.Stdout);
        var budget = json.RootElement.GetProperty("budget");
        Assert.InRange(budget.GetProperty("calls").GetInt64(), 1, 5);
        Assert.True(budget.GetProperty("exhausted").GetBoolean());
        Assert.Contains("note: the LM budget (5 calls) ran out", result.Stderr, StringComparison.Ordinal);
    });

    // A test folder with 12 arithmetic training examples (the path given) and a ready silo process on the sim LM.
    private static async Task WithSiloAsync(Func<string, string, SiloProcess, Task> test)
    {
        var dir = Directory.CreateTempSubdirectory("dspy-cluster-cli-").FullName;
        try
        {
            var train = Path.Combine(dir, "train.jsonl");
            await File.WriteAllLinesAsync(train, File.ReadLines(Path.Combine(RepoRoot, "samples", "arithmetic", "train.jsonl")).Take(12));
            await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["DSPY_CACHEDIR"] = Path.Combine(dir, "silo-cache") });
            await silo.WaitReadyAsync(TimeSpan.FromMinutes(2));
            await test(dir, train, silo);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_with_exit_1_and_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("dspy-cluster-cli-").FullName;
        try
        {
            var train = Path.Combine(dir, "train.jsonl");
            await File.WriteAllLinesAsync(train, File.ReadLines(Path.Combine(RepoRoot, "samples", "arithmetic", "train.jsonl")).Take(4));
            var port = SiloProcess.FreePort(); // nothing listens there
            var result = await RunCliAsync(
            [
                "compile", "--signature", "question -> answer: int", "--train", train, "--metric", "exact_match",
                "--optimizer", "bootstrap-fewshot", "--cluster", $"127.0.0.1:{port}", "--out", Path.Combine(dir, "out.json"),
            ], dir);
            Assert.Equal(1, result.ExitCode);
            var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith($"error: --cluster: cannot reach the cluster gateway at 127.0.0.1:{port}", error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir, "out.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--api-base", "http://127.0.0.1:1/v1", "--api-base cannot be combined with --cluster")]
    [InlineData("--lm", "sim", "--lm cannot be combined with --cluster: the silos run the program with their own LM")]
    [InlineData("--run-dir", "somewhere", "--run-dir cannot be combined with --cluster")]
    [InlineData("--num-candidates", "3", "--num-candidates and --stop-at-score apply to random-search")]
    public async Task Options_a_cluster_run_does_not_support_are_refused_with_exit_2(string option, string value, string message)
    {
        var port = SiloProcess.FreePort(); // refused before connecting
        var args = new List<string>
        {
            "compile", "--signature", "question -> answer: int", "--train", Path.Combine(RepoRoot, "samples", "arithmetic", "train.jsonl"),
            "--metric", "exact_match", "--cluster", $"127.0.0.1:{port}", "--out", Path.Combine(Path.GetTempPath(), "never-written.json"),
        };
        if (option != "--optimizer") args.AddRange(["--optimizer", "bootstrap-fewshot"]);
        args.AddRange([option, value]);
        var result = await RunCliAsync(args, Path.GetTempPath());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: " + message, result.Stderr, StringComparison.Ordinal);
    }

    private sealed record CliResult(int ExitCode, string Stdout, string Stderr);

    private static string RepoRoot { get; } = FindRepoRoot();

    private static async Task<CliResult> RunCliAsync(IEnumerable<string> args, string workDir)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Dspy.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["OPENAI_API_KEY"] = null;
        start.Environment["DSPY_LM"] = null;
        start.Environment["DSPY_CACHEDIR"] = Path.Combine(workDir, "cli-cache-" + Guid.NewGuid().ToString("N"));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the dspy CLI.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dspy {string.Join(' ', args)} did not finish:\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
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
