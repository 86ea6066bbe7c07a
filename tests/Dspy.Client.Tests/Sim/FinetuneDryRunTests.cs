using Dspy.Cli;
using Xunit.Abstractions;

namespace Dspy.Client.Tests.Sim;

/// <summary>
/// Dry runs of the fine-tuning optimizers against what the real run sends to the simulator's server (its chat requests,
/// <see cref="SimServerStats.Served"/>): within 10%. The projection starts no job; the real run fine-tunes over HTTP.
/// </summary>
public sealed class FinetuneDryRunTests(ITestOutputHelper output)
{
    private static string SamplesDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dspy.Orleans.sln"))) dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Repository root not found."), "samples");
        }
    }

    private static List<Example> Load(string split, int count) =>
        File.ReadLines(Path.Combine(SamplesDirectory, "intent", split + ".jsonl")).Where(l => l.Length > 0).Take(count)
            .Select(l => new Example((Dictionary<string, object?>)ValueModel.ParseJson(l)!).WithInputs("text")).ToList();

    private static Signature IntentSignature => Signature.Parse(File.ReadAllText(Path.Combine(SamplesDirectory, "intent", "signature.txt")).Trim());

    private static OpenAIFinetuneProvider Provider => new() { PollInterval = TimeSpan.Zero, InitialPollInterval = TimeSpan.Zero };

    private async Task AssertWithinTenPercentAsync(Func<Teleprompter> create, List<Example> train, Func<LM, CompileOptions?>? options = null)
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var baseLm = new LM("openai/sim", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false);
        // Also the configured LM: BootstrapFewShot's teacher is a reset copy of the student, without its LM.
        using var _ = Settings.Context(s => s with { Lm = baseLm, NumThreads = 4 });
        Predict Student()
        {
            var student = new Predict(IntentSignature);
            student.SetLm(baseLm);
            return student;
        }

        var projection = await DryRun.ProjectAsync(create(), Student(), train, options?.Invoke(baseLm));
        Assert.Equal(0, server.Stats.Served);
        Assert.Empty(server.FineTunedModels);

        var budget = new LMBudget();
        using (budget.Install())
        {
            await create().CompileAsync(Student(), train, options?.Invoke(baseLm));
        }
        var served = server.Stats.Served;
        output.WriteLine($"projected {projection.ProviderRequests} requests / {projection.Projected.LmCalls} budget calls; "
            + $"real {served} chat requests served / {budget.Used.LmCalls} budget calls; {server.FineTunedModels.Count} model(s) fine-tuned");
        Assert.NotEmpty(server.FineTunedModels);
        Assert.True(served > 0);
        Assert.InRange(projection.ProviderRequests, served * 0.9, served * 1.1);
        Assert.InRange(projection.Projected.LmCalls, budget.Used.LmCalls * 0.9, budget.Used.LmCalls * 1.1);
    }

    [Fact]
    public Task BootstrapFinetune_with_a_teacher_projects_its_tracing_calls()
    {
        var train = Load("train", 40);
        return AssertWithinTenPercentAsync(() => new BootstrapFinetune(Metrics.Get("exact_match"), provider: Provider), train, lm =>
        {
            var teacher = new LabeledFewShot(k: 16).Compile(new Predict(IntentSignature), train);
            teacher.SetLm(lm);
            return new CompileOptions { Teacher = teacher };
        });
    }

    [Fact]
    public Task BetterTogether_prompt_weight_prompt_projection_is_within_ten_percent()
    {
        // After the weight step the real run's prompt step uses the fine-tuned model, the projection the base model (it
        // starts no job), so their bootstrapping can differ (here it does not: 104 requests each).
        var metric = Metrics.Get("exact_match");
        return AssertWithinTenPercentAsync(() => new BetterTogether(metric, new Dictionary<string, Teleprompter>
        {
            ["p"] = new BootstrapFewShot(new BootstrapFewShotOptions { Metric = metric, MaxBootstrappedDemos = 4, MaxLabeledDemos = 8 }),
            ["w"] = new BootstrapFinetune(metric, provider: Provider),
        }), Load("train", 60));
    }
}
