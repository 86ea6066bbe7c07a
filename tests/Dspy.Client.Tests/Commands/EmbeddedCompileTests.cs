using System.Text.Json;
using Dspy.Cli;

namespace Dspy.Client.Tests.Commands;

/// <summary>
/// <c>dspy compile</c> without <c>--cluster</c> runs on an embedded in-process silo (DESIGN s6): the same program, scores,
/// LM call counts and text as the in-process path (<c>DSPY_COMPILE_IN_PROCESS=1</c>), reported as <c>"silo": "embedded"</c>
/// with the compile-run grain's id.
/// </summary>
public sealed class EmbeddedCompileTests : IDisposable
{
    private static readonly Dictionary<string, string?> InProcess = new() { [CompileCommand.InProcessVariable] = "1" };
    private static readonly string Signature = File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", "signature.txt")).Trim();
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-embedded-").FullName;
    private readonly string _train;
    private readonly string _val;

    public EmbeddedCompileTests()
    {
        _train = Path.Combine(_dir, "train.jsonl");
        _val = Path.Combine(_dir, "val.jsonl");
        File.WriteAllLines(_train, File.ReadLines(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", "train.jsonl")).Take(24));
        File.WriteAllLines(_val, File.ReadLines(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", "dev.jsonl")).Take(12));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Compile(string optimizer, string output, params string[] extra) =>
    [
        "compile", "-s", Signature, "--train", _train, "--val", _val, "--metric", "exact_match", "--optimizer", optimizer, "--out", output, .. extra,
    ];

    // The compile in-process, then on the embedded silo: both succeed and save the same bytes to output.
    private static async Task<(CliProcess.Result InProcess, CliProcess.Result Embedded)> InProcessThenEmbeddedAsync(string[] args, string output)
    {
        var inProcess = await CliProcess.RunAsync(args, InProcess);
        Assert.True(inProcess.ExitCode == 0, inProcess.Stderr);
        var inProcessProgram = await File.ReadAllBytesAsync(output);
        File.Delete(output);
        var embedded = await CliProcess.RunAsync(args);
        Assert.True(embedded.ExitCode == 0, embedded.Stderr);
        Assert.Equal(inProcessProgram, await File.ReadAllBytesAsync(output));
        return (inProcess, embedded);
    }

    [Fact]
    public async Task The_embedded_silo_saves_the_program_and_prints_the_text_the_in_process_compile_does()
    {
        var output = Path.Combine(_dir, "out.json");
        string[] args = Compile("random-search", output, "--lm", "sim", "--max-demos", "2", "--num-candidates", "2");

        var (inProcess, embedded) = await InProcessThenEmbeddedAsync(args, output);
        Assert.Equal(inProcess.Stdout, embedded.Stdout);
        // The optimizer's lines (new bests, the final summary) are shown as the in-process compile shows them.
        Assert.Contains("candidate programs tried", embedded.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_summary_names_the_embedded_run_and_counts_every_provider_call_per_phase_with_prompt_lm_and_api_base()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        string[] args = Compile("copro", Path.Combine(_dir, "copro.json"), "--num-candidates", "2", "--lm", "openai/sim", "--prompt-lm", "openai/sim-proposer",
            "--api-base", server.ApiBase.ToString(), "--json");

        var embedded = await CliProcess.RunAsync(args);
        Assert.True(embedded.ExitCode == 0, embedded.Stderr);
        var embeddedCalls = server.Stats.RequestsReceived;
        var embeddedProgram = await File.ReadAllBytesAsync(Path.Combine(_dir, "copro.json"));
        server.Reset();
        var inProcess = await CliProcess.RunAsync(args, InProcess);
        Assert.True(inProcess.ExitCode == 0, inProcess.Stderr);

        using var e = JsonDocument.Parse(embedded.Stdout);
        using var p = JsonDocument.Parse(inProcess.Stdout);
        Assert.Equal("embedded", e.RootElement.GetProperty("silo").GetString());
        Assert.StartsWith("cli-", e.RootElement.GetProperty("run_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("in-process", p.RootElement.GetProperty("silo").GetString());
        Assert.Equal(JsonValueKind.Null, p.RootElement.GetProperty("run_id").ValueKind);
        // Every field but where it ran is the in-process compile's, the LM calls of each phase included.
        foreach (var field in p.RootElement.EnumerateObject().Where(f => f.Name is not ("silo" or "run_id")))
        {
            Assert.Equal(field.Value.GetRawText(), e.RootElement.GetProperty(field.Name).GetRawText());
        }
        Assert.Equal(embeddedProgram, await File.ReadAllBytesAsync(Path.Combine(_dir, "copro.json")));
        // The provider received the same requests from both (the prompt LM's proposals included: the silo built it with --api-base).
        Assert.Equal(server.Stats.RequestsReceived, embeddedCalls);
        Assert.True(e.RootElement.GetProperty("lm_calls").GetProperty("compile").GetInt64() > 0);
        // The calls counted are the requests the provider received (COPRO asks for n candidates at once: n calls).
        Assert.Equal(embeddedCalls, e.RootElement.GetProperty("lm_calls").GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("bootstrap-finetune", "--max-labeled", "16")]
    [InlineData("better-together", "--num-candidates", "1")]
    public async Task Fine_tuning_runs_on_the_embedded_silo_and_saves_the_in_process_program(string optimizer, string option, string value)
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var output = Path.Combine(_dir, optimizer + ".json");
        string[] args = Compile(optimizer, output, "--lm", "openai/sim", "--api-base", server.ApiBase.ToString(), option, value, "--json");

        var (inProcess, embedded) = await InProcessThenEmbeddedAsync(args, output);
        using var e = JsonDocument.Parse(embedded.Stdout);
        using var p = JsonDocument.Parse(inProcess.Stdout);
        Assert.Equal("embedded", e.RootElement.GetProperty("silo").GetString());
        Assert.Equal("in-process", p.RootElement.GetProperty("silo").GetString());
        foreach (var field in p.RootElement.EnumerateObject().Where(f => f.Name is not ("silo" or "run_id")))
        {
            Assert.Equal(field.Value.GetRawText(), e.RootElement.GetProperty(field.Name).GetRawText());
        }
        // The server answered both runs' calls, each as many as the run counted (the fine-tuned model's included).
        Assert.Equal(2 * e.RootElement.GetProperty("lm_calls").GetProperty("total").GetInt64(), server.Stats.RequestsReceived);
        // Both fine-tuned on the same traces, so the server named one model (its name depends only on the data).
        Assert.Single(server.FineTunedModels);
        Assert.True(server.Stats.ServedByModel.Keys.Any(m => m.StartsWith("ft:sim:dspy-sim::", StringComparison.Ordinal)),
            "the fine-tuned model answered no request");
    }

    [Theory]
    [InlineData("--threads", "0", "--threads must be at least 1.")]
    [InlineData("--auto", "huge", "--auto must be light, medium or heavy")]
    [InlineData("--max-demos", "2", "labeled-fewshot takes --max-labeled")]
    [InlineData("--program", "missing.json", "--program: cannot read")]
    public async Task Bad_input_exits_2_with_one_line_before_any_run_starts(string option, string value, string message)
    {
        var result = await CliProcess.RunAsync(Compile("labeled-fewshot", Path.Combine(_dir, "x.json"), "--lm", "sim", option, value));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
    }

    [Fact]
    public async Task A_dry_run_runs_in_process()
    {
        var result = await CliProcess.RunAsync(Compile("labeled-fewshot", Path.Combine(_dir, "in-process.json"), "--lm", "sim", "--dry-run", "--json"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var summary = JsonDocument.Parse(result.Stdout);
        Assert.True(summary.RootElement.GetProperty("dry_run").GetBoolean());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("4")]
    public async Task Knn_fewshot_runs_on_the_embedded_silo_and_saves_and_reports_what_the_in_process_compile_does(string threads)
    {
        var output = Path.Combine(_dir, "knn.json");
        string[] args = Compile("knn-fewshot", output, "--lm", "sim", "--max-demos", "3", "--seed", "2", "--threads", threads, "--json");

        var (inProcess, embedded) = await InProcessThenEmbeddedAsync(args, output);
        using var e = JsonDocument.Parse(embedded.Stdout);
        using var p = JsonDocument.Parse(inProcess.Stdout);
        Assert.Equal("embedded", e.RootElement.GetProperty("silo").GetString());
        Assert.StartsWith("cli-", e.RootElement.GetProperty("run_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("in-process", p.RootElement.GetProperty("silo").GetString());
        // Every field but where it ran is the in-process compile's: the scores, the saved student's demos (chosen per call,
        // so none saved) and, one call at a time, the LM calls of each phase (the per-call bootstrapping is in "after").
        // With several threads, calls for the same prompt may be in flight at once, so only the provider's count may differ.
        foreach (var field in p.RootElement.EnumerateObject().Where(f => f.Name is not ("silo" or "run_id") && (threads == "1" || f.Name != "lm_calls")))
        {
            Assert.Equal(field.Value.GetRawText(), e.RootElement.GetProperty(field.Name).GetRawText());
        }
        Assert.True(e.RootElement.GetProperty("score_after").GetDouble() > e.RootElement.GetProperty("score_before").GetDouble(),
            $"knn-fewshot {e.RootElement.GetProperty("score_after")} should beat zero-shot {e.RootElement.GetProperty("score_before")} on the sim");
        Assert.Equal(0, e.RootElement.GetProperty("lm_calls").GetProperty("compile").GetInt64());
        Assert.True(e.RootElement.GetProperty("lm_calls").GetProperty("after").GetInt64() > 0);
    }

    [Fact]
    public async Task A_call_budget_is_the_runs_budget_on_the_embedded_silo()
    {
        var output = Path.Combine(_dir, "budget.json");
        var result = await CliProcess.RunAsync(Compile("random-search", output, "--lm", "sim", "--num-candidates", "4", "--max-labeled", "8", "--max-calls", "60", "--json"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var summary = JsonDocument.Parse(result.Stdout);
        Assert.Equal("embedded", summary.RootElement.GetProperty("silo").GetString());
        var budget = summary.RootElement.GetProperty("budget");
        Assert.Equal(60, budget.GetProperty("max_calls").GetInt64());
        Assert.InRange(budget.GetProperty("calls").GetInt64(), 1, 60);
        Assert.InRange(summary.RootElement.GetProperty("lm_calls").GetProperty("compile").GetInt64(), 1, 60);
        Assert.True(budget.GetProperty("exhausted").GetBoolean());
        Assert.Contains("returned the best program found within it", result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }
}
