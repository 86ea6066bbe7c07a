using Dspy.Tests.Sim;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers.Mipro;

/// <summary>MIPROv2 end to end on the simulated LM (in-process) with the bundled sample tasks (sim scores).</summary>
public sealed class MIPROv2SimTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-mipro-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Predict Student(string task) =>
        new(Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, task, "signature.txt")).Trim()));

    private async Task<(byte[] Saved, MIPROv2Result Result)> RunAsync(string task, string input, int threads, int parallelism, int train = 30, int val = 60)
    {
        var trainset = SampleData.LoadExamples(task, "train", train, input);
        var valset = SampleData.LoadExamples(task, "dev", val, input);
        // No cache: every run sends its own requests, so runs cannot borrow each other's answers.
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = threads });
        var optimizer = new MIPROv2(new MIPROv2Options { Metric = Metrics.Get("exact_match"), TrialParallelism = parallelism });
        var result = await optimizer.OptimizeAsync(Student(task), trainset, new CompileOptions { Valset = valset });
        var path = Path.Combine(_dir, $"program-{Guid.NewGuid():N}.json");
        result.Program.Save(path);
        return (await File.ReadAllBytesAsync(path), result);
    }

    [Theory]
    [InlineData("intent", "text")]
    [InlineData("arithmetic", "question")]
    public async Task Light_run_beats_the_unoptimized_program_on_sim(string task, string input)
    {
        var (_, result) = await RunAsync(task, input, threads: 4, parallelism: 1);
        output.WriteLine($"{task} on sim ({result.ValsetSize} val): before {result.DefaultScore}%, after {result.Score}%, {result.Budget.LmCalls} LM calls " +
            $"({result.PromptModelTotalCalls} prompt model), {result.TotalEvalCalls} evaluation metric calls");
        foreach (var (i, list) in result.InstructionCandidates.Select((l, i) => (i, l)))
            foreach (var instruction in list) output.WriteLine($"  predictor {i}: {instruction.Replace("\n", " | ")}");
        foreach (var log in result.TrialLogs) output.WriteLine($"  trial {log.TrialNumber} {(log.FullEval ? "full" : "mb")} {log.Score} {string.Join(",", log.Params.Values)}");
        Assert.True(result.Score > result.DefaultScore, $"after {result.Score} should beat before {result.DefaultScore}");
    }

    [Fact]
    public async Task Same_seed_gives_byte_identical_programs_across_runs_thread_counts_and_completion_order()
    {
        var sequential = await RunAsync("intent", "text", threads: 1, parallelism: 1, train: 20, val: 55);
        var threaded = await RunAsync("intent", "text", threads: 4, parallelism: 1, train: 20, val: 55);
        Assert.Equal(sequential.Saved, threaded.Saved);
        Assert.Equal(sequential.Result.TrialLogs.Select(t => (t.TrialNumber, t.Score)), threaded.Result.TrialLogs.Select(t => (t.TrialNumber, t.Score)));
        Assert.Equal(sequential.Result.Budget.LmCalls, threaded.Result.Budget.LmCalls);

        // K = 3 trials per round: evaluations run concurrently, results are applied in slot order.
        var batched = await RunAsync("intent", "text", threads: 1, parallelism: 3, train: 20, val: 55);
        var batchedThreaded = await RunAsync("intent", "text", threads: 4, parallelism: 3, train: 20, val: 55);
        Assert.Equal(batched.Saved, batchedThreaded.Saved);
        Assert.Equal(batched.Result.TrialLogs.Select(t => (t.TrialNumber, t.Score, string.Join(",", t.Params.Values))),
            batchedThreaded.Result.TrialLogs.Select(t => (t.TrialNumber, t.Score, string.Join(",", t.Params.Values))));
        // The same number of trials, minibatches and full evaluations whatever K is.
        Assert.Equal(sequential.Result.TotalEvalCalls, batched.Result.TotalEvalCalls);
        Assert.Equal(35 * 10 + 55 * 3, batched.Result.TotalEvalCalls);
    }
}
