using System.Text.Json;

namespace Dspy.Client.Tests.Commands;

/// <summary><c>dspy compile</c> as a child process on the bundled samples with the simulated LM (scores are sim scores).</summary>
public sealed class CompileCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-compile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sample(string task, string split) => Path.Combine(CliProcess.RepoRoot, "samples", task, split + ".jsonl");

    /// <summary><c>text -> label: Literal[...]</c> with every label of the intent trainset, in order of appearance.</summary>
    private static string IntentSignature()
    {
        var labels = File.ReadLines(Sample("intent", "train"))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()!)
            .Distinct()
            .ToList();
        Assert.Equal(24, labels.Count);
        return "text -> label: Literal[" + string.Join(", ", labels.Select(l => $"'{l}'")) + "]";
    }

    private string[] CompileIntent(string output, params string[] extra) =>
    [
        "compile", "-s", IntentSignature(), "--train", Sample("intent", "train"), "--val", Sample("intent", "dev"),
        "--metric", "exact_match", "--optimizer", "bootstrap-fewshot", "--lm", "sim", "--out", output, .. extra,
    ];

    [Fact]
    public async Task Bootstrap_fewshot_on_intent_improves_the_dev_score_and_saves_a_loadable_program()
    {
        var output = Path.Combine(_dir, "optimized.json");

        var result = await CliProcess.RunAsync(CompileIntent(output, "--json"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        var before = summary.GetProperty("score_before").GetDouble();
        var after = summary.GetProperty("score_after").GetDouble();
        Assert.True(after > before, $"after {after} should beat before {before}");
        Assert.Equal("bootstrap-fewshot", summary.GetProperty("optimizer").GetString());
        Assert.Equal(400, summary.GetProperty("val_size").GetInt32());
        var calls = summary.GetProperty("lm_calls");
        Assert.InRange(calls.GetProperty("compile").GetInt64(), 4, 800);
        Assert.Equal(400, calls.GetProperty("after").GetInt64());
        Assert.Equal(16, summary.GetProperty("demos").GetProperty("self").GetInt32());

        var program = new Predict(Signature.Parse(IntentSignature()));
        program.Load(output);
        Assert.Equal(16, program.Demos.Count);
        Assert.Equal(4, program.Demos.Count(d => d.ContainsKey("augmented")));

        // The saved program scores the same when evaluated on its own.
        var eval = await CliProcess.RunAsync("eval", "-s", IntentSignature(), "--data", Sample("intent", "dev"), "--metric", "exact_match",
            "--lm", "sim", "--program", output, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Equal(after, JsonDocument.Parse(eval.Stdout).RootElement.GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task The_saved_program_is_byte_identical_across_runs_and_thread_counts()
    {
        var one = Path.Combine(_dir, "one.json");
        var eight = Path.Combine(_dir, "eight.json");

        var first = await CliProcess.RunAsync(CompileIntent(one, "--threads", "1", "--max-demos", "6", "--max-rounds", "2"));
        var second = await CliProcess.RunAsync(CompileIntent(eight, "--threads", "8", "--max-demos", "6", "--max-rounds", "2"));

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(await File.ReadAllBytesAsync(one), await File.ReadAllBytesAsync(eight));
        Assert.Contains("before", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("after", first.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labeled_fewshot_on_arithmetic_makes_no_lm_call_to_compile()
    {
        var output = Path.Combine(_dir, "labeled.json");

        var result = await CliProcess.RunAsync("compile", "-s", "question -> answer: int", "--train", Sample("arithmetic", "train"),
            "--val", Sample("arithmetic", "dev"), "--metric", "exact_match", "--optimizer", "labeled-fewshot", "--max-labeled", "8",
            "--lm", "sim", "--out", output, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(0, summary.GetProperty("lm_calls").GetProperty("compile").GetInt64());
        Assert.True(summary.GetProperty("score_after").GetDouble() > summary.GetProperty("score_before").GetDouble());
        var program = new Predict(Signature.Parse("question -> answer: int"));
        program.Load(output);
        Assert.Equal(8, program.Demos.Count);
    }

    [Fact]
    public async Task Random_search_on_arithmetic_improves_the_dev_score_and_is_byte_identical_across_aliases_and_thread_counts()
    {
        string[] Args(string optimizer, string output, string threads) =>
        [
            "compile", "-s", File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "samples", "arithmetic", "signature.txt")).Trim(),
            "--train", Sample("arithmetic", "train"), "--val", Sample("arithmetic", "dev"), "--metric", "exact_match",
            "--optimizer", optimizer, "--num-candidates", "2", "--lm", "sim", "--threads", threads, "--out", output, "--json",
        ];
        var first = Path.Combine(_dir, "rs1.json");
        var second = Path.Combine(_dir, "rs4.json");

        var result = await CliProcess.RunAsync(Args("random-search", first, "1"));
        var alias = await CliProcess.RunAsync(Args("bootstrap-rs", second, "4"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(alias.ExitCode == 0, alias.Stderr);
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        var before = summary.GetProperty("score_before").GetDouble();
        var after = summary.GetProperty("score_after").GetDouble();
        Assert.True(after > before, $"after {after} should beat before {before}");
        Assert.Equal("random-search", summary.GetProperty("optimizer").GetString());
        Assert.Equal(2, summary.GetProperty("params").GetProperty("num_candidate_programs").GetInt32());
        // 5 candidates (seeds -3..1), each scored on the 400 training examples, plus the bootstrapping runs.
        Assert.InRange(summary.GetProperty("lm_calls").GetProperty("compile").GetInt64(), 5 * 400, 5 * 400 + 40);
        Assert.Contains("5 candidate programs tried", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(first), await File.ReadAllBytesAsync(second));
        Assert.Equal(after, JsonDocument.Parse(alias.Stdout).RootElement.GetProperty("score_after").GetDouble());
    }

    [Fact]
    public async Task An_unknown_optimizer_lists_the_known_ones_before_any_lm_call()
    {
        var result = await CliProcess.RunAsync("compile", "-s", "question -> answer: int", "--train", Sample("arithmetic", "train"),
            "--metric", "exact_match", "--optimizer", "miprov3", "--lm", "sim", "--out", Path.Combine(_dir, "x.json"));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("unknown optimizer 'miprov3'", line, StringComparison.Ordinal);
        Assert.Contains("mipro (alias miprov2)", line, StringComparison.Ordinal);
        Assert.Contains("labeled-fewshot, bootstrap-fewshot, random-search", line, StringComparison.Ordinal);
        Assert.Contains("bootstrap-random-search", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
    }

    [Fact]
    public async Task A_program_file_for_another_signature_or_module_is_rejected()
    {
        var output = Path.Combine(_dir, "arith.json");
        var compile = await CliProcess.RunAsync("compile", "-s", "question -> answer: int", "--train", Sample("arithmetic", "train"),
            "--metric", "exact_match", "--optimizer", "labeled-fewshot", "--max-labeled", "2", "--lm", "sim", "--out", output);
        Assert.True(compile.ExitCode == 0, compile.Stderr);

        var otherSignature = await CliProcess.RunAsync("predict", "-s", "text -> label", "--inputs", "{\"text\": \"hi\"}", "--lm", "sim", "--program", output);
        var otherModule = await CliProcess.RunAsync("predict", "-s", "question -> answer: int", "-m", "cot", "--inputs", "{\"question\": \"1 + 1?\"}",
            "--lm", "sim", "--program", output);

        foreach (var result in new[] { otherSignature, otherModule })
        {
            Assert.Equal(2, result.ExitCode);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("does not match the program built from --signature/--module", line, StringComparison.Ordinal);
        }

        var same = await CliProcess.RunAsync("predict", "-s", "question -> answer: int", "--lm", "sim", "--program", output,
            "--inputs", "{\"question\": \"A farm has 3 cows, 4 pigs and 5 sheep. How many animals live on the farm?\"}");
        Assert.True(same.ExitCode == 0, same.Stderr);
        Assert.Equal(JsonValueKind.Number, JsonDocument.Parse(same.Stdout).RootElement.GetProperty("answer").ValueKind);
    }

    [Theory]
    [InlineData("--out", "x.txt", "must end with .json")]
    [InlineData("--max-demos", "3", "apply to bootstrap-fewshot")]
    [InlineData("--num-candidates", "3", "apply to random-search")]
    [InlineData("--stop-at-score", "50", "apply to random-search")]
    public async Task Bad_options_are_one_line_errors(string option, string value, string expected)
    {
        var args = new List<string>
        {
            "compile", "-s", "question -> answer: int", "--train", Sample("arithmetic", "train"), "--metric", "exact_match",
            "--optimizer", "labeled-fewshot", "--lm", "sim",
        };
        if (option != "--out") args.AddRange(["--out", Path.Combine(_dir, "ok.json")]);
        args.AddRange([option, option == "--out" ? Path.Combine(_dir, value) : value]);

        var result = await CliProcess.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
