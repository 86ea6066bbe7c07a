using Dspy.Tests.Sim;
using Xunit.Abstractions;

namespace Dspy.Tests.Optimizers;

/// <summary>BootstrapFewShotWithRandomSearch end to end on the simulated LM with the bundled sample tasks (sim scores).</summary>
public sealed class BootstrapFewShotWithRandomSearchSimTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-randomsearch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(byte[] Saved, BootstrapFewShotWithRandomSearchResult Result)> SearchAsync(Module student, List<Example> trainset,
        List<Example> valset, int threads, int parallelism)
    {
        // No cache: every run sends its own requests, so the LM calls can be compared too.
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false), NumThreads = threads });
        var optimizer = new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
        {
            Metric = Metrics.Get("exact_match"),
            NumCandidatePrograms = 3,
            MaxLabeledDemos = 8,
            CandidateParallelism = parallelism,
        });
        var result = await optimizer.SearchAsync(student, trainset, new CompileOptions { Valset = valset });
        var path = Path.Combine(_dir, $"program-{Guid.NewGuid():N}.json");
        result.Program.Save(path);
        return (await File.ReadAllBytesAsync(path), result);
    }

    [Fact]
    public async Task Arithmetic_search_is_byte_identical_across_runs_threads_and_candidate_parallelism_and_beats_zero_shot()
    {
        var train = SampleData.LoadExamples("arithmetic", "train", 40, "question");
        var val = SampleData.LoadExamples("arithmetic", "dev", 30, "question");
        var student = new Predict(Signature.Parse(File.ReadAllText(Path.Combine(SampleData.SamplesDirectory, "arithmetic", "signature.txt")).Trim()));

        var sequential = await SearchAsync(student, train, val, threads: 1, parallelism: 1);
        var again = await SearchAsync(student, train, val, threads: 1, parallelism: 1);
        var parallel = await SearchAsync(student, train, val, threads: 4, parallelism: 3);

        Assert.Equal(sequential.Saved, again.Saved);
        Assert.Equal(sequential.Saved, parallel.Saved);
        Assert.Equal(sequential.Result.Budget.LmCalls, again.Result.Budget.LmCalls);
        Assert.Equal(sequential.Result.CandidatePrograms.Select(c => (c.Seed, c.Score)), parallel.Result.CandidatePrograms.Select(c => (c.Seed, c.Score)));
        Assert.Equal(6, sequential.Result.CandidatePrograms.Count);

        var zeroShot = sequential.Result.CandidatePrograms.Single(c => c.Seed == -3).Score;
        output.WriteLine($"arithmetic on sim ({val.Count} val): zero-shot {zeroShot}%, best {sequential.Result.BestScore}% (seed {sequential.Result.BestSeed}), " +
            $"{sequential.Result.Budget.LmCalls} LM calls; " + string.Join(", ", sequential.Result.CandidatePrograms.Select(c => $"{c.Seed}:{c.Score}")));
        Assert.True(sequential.Result.BestScore > zeroShot, $"best {sequential.Result.BestScore} should beat zero-shot {zeroShot}");
    }
}
