using Dspy.Tests.Sim;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers.Copro;

/// <summary>COPRO end to end on the simulated LM (in-process) with the bundled sample tasks (sim scores).</summary>
public sealed class COPROSimTests(ITestOutputHelper output)
{
    private static Predict Student(string task) =>
        new(Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, task, "signature.txt")).Trim()));

    private async Task<(COPROResult Result, double Before, double After)> RunAsync(string task, string input, int threads = 4, int parallelism = 1,
        int proposerExamples = 8)
    {
        var trainset = SampleData.LoadExamples(task, "train", 30, input);
        var devset = SampleData.LoadExamples(task, "dev", 60, input);
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = threads });
        var metric = Metrics.Get("exact_match");
        var optimizer = new COPRO(new COPROOptions
        {
            Metric = metric, TrackStats = true, CandidateParallelism = parallelism, ProposerExamples = proposerExamples, Seed = 1,
        });
        var result = await optimizer.OptimizeAsync(Student(task), trainset);
        var before = (await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest { Program = Student(task), Examples = devset, Metric = metric })).Score;
        var after = (await LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest { Program = result.Program, Examples = devset, Metric = metric })).Score;
        output.WriteLine($"{task} on sim (dev {devset.Count}): before {before}%, after {after}%, {result.TotalCalls} evaluations, {result.Budget.LmCalls} LM calls");
        foreach (var c in result.CandidatePrograms.Take(5)) output.WriteLine($"  {c.Score} d{c.Depth} [{c.Prefix}] {c.Instruction.Replace("\n", " | ")}");
        return (result, before, after);
    }

    [Theory]
    [InlineData("arithmetic", "question")]
    [InlineData("intent", "text")]
    public async Task Copro_with_proposer_examples_beats_the_unoptimized_program_on_sim(string task, string input)
    {
        var (result, before, after) = await RunAsync(task, input);
        Assert.True(after > before, $"after {after} should beat before {before}");
        // breadth 10 candidates per depth, 3 depths, one predictor: 30 evaluations (DSPy's total_calls).
        Assert.Equal(30, result.TotalCalls);
        Assert.Equal(3, result.ResultsLatest![0].Depth.Count);
    }

    [Fact]
    public async Task Dspy_copro_shows_no_examples_so_the_simulator_proposes_nothing_new_and_the_program_is_unchanged()
    {
        // DSPy's COPRO shows its prompt model the instruction only (and later the attempts with their scores): the simulator
        // knows no task, so every proposal repeats the instruction and the original program wins (docs/sim.md).
        var (result, before, after) = await RunAsync("intent", "text", proposerExamples: 0);
        Assert.All(result.CandidatePrograms, c => Assert.Equal("Given the fields `text`, produce the fields `label`.", c.Instruction));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Candidate_parallelism_and_threads_do_not_change_the_result()
    {
        var (one, _, _) = await RunAsync("arithmetic", "question", threads: 1, parallelism: 1);
        var (many, _, _) = await RunAsync("arithmetic", "question", threads: 4, parallelism: 4);
        Assert.Equal(one.CandidatePrograms.Select(c => (c.Score, c.Instruction, c.Prefix)), many.CandidatePrograms.Select(c => (c.Score, c.Instruction, c.Prefix)));
        var (a, b) = (one.Program.Predictors()[0].Signature, many.Program.Predictors()[0].Signature);
        Assert.Equal((a.Instructions, a.Fields[^1].Prefix), (b.Instructions, b.Fields[^1].Prefix));
    }
}
