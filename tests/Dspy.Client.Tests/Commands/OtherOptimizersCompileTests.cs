using System.Text.Json;
using Dspy.Cli;
using Xunit.Abstractions;

namespace Dspy.Client.Tests.Commands;

/// <summary>
/// <c>dspy compile</c> with knn-fewshot, infer-rules, bootstrap-finetune and better-together as a child process on small
/// subsets of the intent sample (sim scores); the fine-tuning ones run against a simulated LM server started here.
/// </summary>
public sealed class OtherOptimizersCompileTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-compile-others-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sample(string split) => Path.Combine(CliProcess.RepoRoot, "samples", "intent", split + ".jsonl");

    private static string Signature => File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "samples", "intent", "signature.txt")).Trim();

    private string Subset(string split, int count)
    {
        var path = Path.Combine(_dir, $"{split}-{count}.jsonl");
        File.WriteAllLines(path, File.ReadLines(Sample(split)).Where(l => l.Length > 0).Take(count));
        return path;
    }

    private async Task<JsonElement> CompileAsync(string optimizer, int train, params string[] extra)
    {
        var output = Path.Combine(_dir, optimizer + ".json");
        var result = await CliProcess.RunAsync(
        [
            "compile", "-s", Signature, "--train", Subset("train", train), "--val", Subset("dev", 40), "--metric", "exact_match",
            "--optimizer", optimizer, "--out", output, "--json", .. extra,
        ]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(output));
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        log.WriteLine($"{optimizer} on intent (sim, 40 dev): {summary.GetProperty("score_before").GetDouble()}% -> {summary.GetProperty("score_after").GetDouble()}%, "
            + $"{summary.GetProperty("lm_calls").GetProperty("compile").GetInt64()} LM calls to compile");
        return summary;
    }

    private static void AssertImproved(JsonElement summary)
    {
        var before = summary.GetProperty("score_before").GetDouble();
        var after = summary.GetProperty("score_after").GetDouble();
        Assert.True(after > before, $"after {after} should beat before {before}");
    }

    [Fact]
    public async Task Knn_fewshot_and_infer_rules_improve_intent_on_the_sim()
    {
        AssertImproved(await CompileAsync("knn-fewshot", 120, "--lm", "sim", "--max-demos", "4"));
        var rules = await CompileAsync("infer-rules", 80, "--lm", "sim", "--num-candidates", "2", "--max-demos", "2", "--max-labeled", "4");
        AssertImproved(rules);
        Assert.Equal(2L, rules.GetProperty("params").GetProperty("num_candidates").GetInt64());
    }

    [Fact]
    public async Task Bootstrap_finetune_and_better_together_fine_tune_through_a_sim_server()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var api = server.ApiBase.ToString();
        var self = await CompileAsync("bootstrap-finetune", 120, "--lm", "openai/sim", "--api-base", api);
        AssertImproved(self);
        // --max-labeled k traces a teacher shown k labeled examples: more traces kept, a better fine-tuned model.
        var taught = await CompileAsync("bootstrap-finetune", 120, "--lm", "openai/sim", "--api-base", api, "--max-labeled", "16");
        Assert.Equal("LabeledFewShot(k=16)", taught.GetProperty("params").GetProperty("teacher").GetString());
        Assert.True(taught.GetProperty("score_after").GetDouble() > self.GetProperty("score_after").GetDouble());
        var together = await CompileAsync("better-together", 120, "--lm", "openai/sim", "--api-base", api, "--num-candidates", "1", "--max-labeled", "8");
        AssertImproved(together);
        Assert.Equal(3, server.FineTunedModels.Count);
    }

    [Fact]
    public async Task Fine_tuning_needs_an_openai_model_and_options_that_do_not_apply_are_refused()
    {
        var finetune = await CliProcess.RunAsync("compile", "-s", Signature, "--train", Subset("train", 10), "--metric", "exact_match",
            "--optimizer", "bootstrap-finetune", "--lm", "sim", "--out", Path.Combine(_dir, "x.json"));
        Assert.Equal(2, finetune.ExitCode);
        Assert.Contains("--lm must be an openai/... model", finetune.Stderr, StringComparison.Ordinal);
        var demos = await CliProcess.RunAsync("compile", "-s", Signature, "--train", Subset("train", 10), "--metric", "exact_match",
            "--optimizer", "bootstrap-finetune", "--lm", "sim", "--max-demos", "4", "--out", Path.Combine(_dir, "z.json"));
        Assert.Equal(2, demos.ExitCode);
        Assert.Contains("--max-demos and --max-rounds do not apply to bootstrap-finetune", demos.Stderr, StringComparison.Ordinal);

        var knn = await CliProcess.RunAsync("compile", "-s", Signature, "--train", Subset("train", 10), "--metric", "exact_match",
            "--optimizer", "knn-fewshot", "--lm", "sim", "--num-candidates", "3", "--out", Path.Combine(_dir, "y.json"));
        Assert.Equal(2, knn.ExitCode);
        Assert.Contains("do not apply to knn-fewshot", knn.Stderr, StringComparison.Ordinal);
    }
}
