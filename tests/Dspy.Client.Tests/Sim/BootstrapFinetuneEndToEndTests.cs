using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dspy.Cli;
using Xunit.Abstractions;

namespace Dspy.Client.Tests.Sim;

/// <summary>
/// BootstrapFinetune end to end over real HTTP: the simulated LM server (with its OpenAI-compatible files and
/// fine-tuning endpoints) on a loopback port, an <c>openai/sim</c> LM pointed at it, traces uploaded as JSONL, a job
/// polled to completion, and the fine-tuned model answering from its training data (sim scores).
/// </summary>
public sealed class BootstrapFinetuneEndToEndTests(ITestOutputHelper output)
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

    private static List<Example> Load(string split, int skip, int count) =>
        File.ReadLines(Path.Combine(SamplesDirectory, "intent", split + ".jsonl")).Where(l => l.Length > 0).Skip(skip).Take(count)
            .Select(l => new Example((Dictionary<string, object?>)ValueModel.ParseJson(l)!).WithInputs("text")).ToList();

    private static Signature IntentSignature => Signature.Parse(File.ReadAllText(Path.Combine(SamplesDirectory, "intent", "signature.txt")).Trim());

    [Fact]
    public async Task The_fine_tuned_model_scores_better_than_the_base_model_on_intent()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var baseLm = new LM("openai/sim", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false);
        var train = Load("train", 0, 160);
        var dev = Load("dev", 0, 40);
        var metric = Metrics.Get("exact_match");
        var student = new Predict(IntentSignature);
        student.SetLm(baseLm);
        // The teacher shows the base model labeled examples, so its traces are mostly right; the metric keeps the right ones.
        var teacher = new LabeledFewShot(k: 16).Compile(student, train);
        teacher.SetLm(baseLm);
        using var _ = Settings.Context(s => s with { NumThreads = 4 });

        var before = await new Evaluate(dev, metric).RunAsync(student);
        var optimizer = new BootstrapFinetune(metric, provider: new OpenAIFinetuneProvider { PollInterval = TimeSpan.Zero, InitialPollInterval = TimeSpan.Zero });
        var result = await optimizer.FinetuneAsync(student, train, [teacher]);
        var after = await new Evaluate(dev, metric).RunAsync(result.Program);

        var job = Assert.Single(result.Jobs);
        Assert.StartsWith("ft:sim:dspy-sim::", job.FinetunedModel, StringComparison.Ordinal);
        Assert.Equal(3, job.StatusPolls); // queued -> running -> succeeded, one step per status read
        Assert.Equal(result.KeptTraces, job.TrainExamples);
        Assert.Contains(job.FinetunedModel, server.FineTunedModels);
        Assert.Equal("openai/" + job.FinetunedModel, ((Predict)result.Program).Lm!.Model);
        Assert.Equal(server.ApiBase.ToString(), ((Predict)result.Program).Lm!.Kwargs["api_base"]);
        Assert.Equal(baseLm, student.Lm); // the student keeps its base LM
        Assert.True(result.Program.Compiled);

        output.WriteLine($"intent on sim ({dev.Count} dev): base openai/sim {before.Score}%, fine-tuned {job.FinetunedModel} {after.Score}% " +
            $"({result.KeptTraces} of {result.TracedExamples} traces kept, {result.Budget.LmCalls} LM calls to trace, {server.Stats.Served} chat requests served)");
        Assert.True(after.Score > before.Score + 10, $"fine-tuned {after.Score} should beat base {before.Score}");
    }

    private static List<Example> LoadArithmetic(string split, int count) =>
        File.ReadLines(Path.Combine(SamplesDirectory, "arithmetic", split + ".jsonl")).Where(l => l.Length > 0).Take(count)
            .Select(l => new Example((Dictionary<string, object?>)ValueModel.ParseJson(l)!).WithInputs("question")).ToList();

    [Fact]
    public async Task On_arithmetic_the_fine_tuned_model_applies_the_patterns_of_a_teachers_traces_but_the_student_alone_teaches_nothing()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var baseLm = new LM("openai/sim", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false);
        var train = LoadArithmetic("train", 100);
        var dev = LoadArithmetic("dev", 60);
        var metric = Metrics.Get("exact_match");
        var student = new Predict(Signature.Parse("question -> answer: int"));
        student.SetLm(baseLm);
        var teacher = new LabeledFewShot(k: 16).Compile(student, train);
        teacher.SetLm(baseLm);
        using var _ = Settings.Context(s => s with { NumThreads = 4 });
        var provider = new OpenAIFinetuneProvider { PollInterval = TimeSpan.Zero, InitialPollInterval = TimeSpan.Zero };

        var before = await new Evaluate(dev, metric).RunAsync(student);
        // Its own teacher: the student (no demos) adds all numbers, so the kept traces are the sum templates only and the
        // fine-tuned model, which answers like the simulator with its nearest traces as demos, still adds all numbers.
        var self = await new BootstrapFinetune(metric, provider: provider).FinetuneAsync(student, train);
        var selfAfter = await new Evaluate(dev, metric).RunAsync(self.Program);
        // A teacher shown labeled examples solves most templates, so its traces carry their patterns.
        var taught = await new BootstrapFinetune(metric, provider: provider).FinetuneAsync(student, train, [teacher]);
        var after = await new Evaluate(dev, metric).RunAsync(taught.Program);

        output.WriteLine($"arithmetic on sim ({dev.Count} dev): base {before.Score}%, self-taught {selfAfter.Score}% ({self.KeptTraces} traces), " +
            $"LabeledFewShot(16) teacher {after.Score}% ({taught.KeptTraces} traces)");
        Assert.Equal(before.Score, selfAfter.Score);
        Assert.True(taught.KeptTraces > self.KeptTraces * 2, $"teacher kept {taught.KeptTraces}, student {self.KeptTraces}");
        Assert.True(after.Score > before.Score + 40, $"fine-tuned on the teacher's traces {after.Score} should beat base {before.Score}");
    }

    [Fact]
    public async Task A_job_on_too_little_data_fails_with_the_providers_reason()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var baseLm = new LM("openai/sim", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false);
        var student = new Predict(IntentSignature);
        student.SetLm(baseLm);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new BootstrapFinetune(provider: new OpenAIFinetuneProvider { PollInterval = TimeSpan.Zero, InitialPollInterval = TimeSpan.Zero }).CompileAsync(student, Load("train", 0, 4)));
        Assert.Contains("ended with status 'failed'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Training file has 4 example(s), but must have at least 10 examples", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.FineTunedModels);
    }

    [Fact]
    public async Task The_files_and_jobs_endpoints_speak_openais_shapes_and_errors()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { FineTuningPolls = 2 }, new SimChatClient());
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var line = "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"hello N\"}, {\"role\": \"assistant\", \"content\": \"world\"}]}\n";
        var data = string.Concat(Enumerable.Range(0, 10).Select(i => line.Replace("N", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));

        using (var bad = new MultipartFormDataContent { { new StringContent("training"), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(data)), "file", "d.jsonl" } })
        {
            var response = await http.PostAsync("v1/files", bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.StartsWith("'training' is not one of", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        using var form = new MultipartFormDataContent { { new StringContent("fine-tune"), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(data)), "file", "d.jsonl" } };
        var file = await (await http.PostAsync("v1/files", form)).Content.ReadFromJsonAsync<JsonElement>();
        var fileId = file.GetProperty("id").GetString()!;
        Assert.Equal("fine-tune", file.GetProperty("purpose").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(data), file.GetProperty("bytes").GetInt32());
        Assert.Equal(fileId, (await http.GetFromJsonAsync<JsonElement>($"v1/files/{fileId}")).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("v1/files/file-nope")).StatusCode);

        var unknownFile = await http.PostAsJsonAsync("v1/fine_tuning/jobs", new { model = "sim", training_file = "file-nope" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownFile.StatusCode);
        var created = await (await http.PostAsJsonAsync("v1/fine_tuning/jobs", new { model = "sim", training_file = fileId, hyperparameters = new { n_epochs = 2 } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", created.GetProperty("status").GetString());
        Assert.Equal(2, created.GetProperty("hyperparameters").GetProperty("n_epochs").GetInt32());
        var id = created.GetProperty("id").GetString()!;
        var first = await http.GetFromJsonAsync<JsonElement>($"v1/fine_tuning/jobs/{id}");
        Assert.Equal("running", first.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("fine_tuned_model").ValueKind);
        var second = await http.GetFromJsonAsync<JsonElement>($"v1/fine_tuning/jobs/{id}");
        Assert.Equal("succeeded", second.GetProperty("status").GetString());
        var model = second.GetProperty("fine_tuned_model").GetString()!;
        Assert.True(second.GetProperty("trained_tokens").GetInt64() > 0);

        // The fine-tuned model answers chat requests; an unknown fine-tuned model is OpenAI's 404 model_not_found.
        var served = await http.PostAsJsonAsync("v1/chat/completions", new { model, messages = new[] { new { role = "user", content = "hello 3" } } });
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(model, (await served.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model").GetString());
        var unknown = await http.PostAsJsonAsync("v1/chat/completions", new { model = "ft:sim:dspy-sim::nope", messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("model_not_found", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BetterTogether_prompt_then_weight_optimization_beats_the_unoptimized_program_on_intent()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        var baseLm = new LM("openai/sim", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false);
        var train = Load("train", 0, 160);
        var val = Load("train", 160, 30);
        var dev = Load("dev", 0, 40);
        var metric = Metrics.Get("exact_match");
        var student = new Predict(IntentSignature);
        student.SetLm(baseLm);
        // Random search's candidates are reset copies without LMs: they run on the configured LM, as in DSPy.
        using var _ = Settings.Context(s => s with { Lm = baseLm, NumThreads = 4 });

        var optimizers = new Dictionary<string, Teleprompter>
        {
            ["p"] = new BootstrapFewShotWithRandomSearch(metric, maxBootstrappedDemos: 2, maxLabeledDemos: 8, numCandidatePrograms: 2),
            ["w"] = new BootstrapFinetune(metric, provider: new OpenAIFinetuneProvider { PollInterval = TimeSpan.Zero, InitialPollInterval = TimeSpan.Zero }),
        };
        var before = await new Evaluate(dev, metric).RunAsync(student);
        var result = await new BetterTogether(metric, optimizers, new BetterTogetherOptions { Strategy = "p -> w" })
            .RunAsync(student, train, new CompileOptions { Valset = val });
        var after = await new Evaluate(dev, metric).RunAsync(result.Program);

        Assert.False(result.FlagCompilationErrorOccurred);
        Assert.Equal(3, result.CandidatePrograms.Count);
        Assert.Single(server.FineTunedModels);
        output.WriteLine($"intent on sim ({dev.Count} dev): unoptimized {before.Score}%, BetterTogether 'p -> w' {after.Score}% (best strategy " +
            $"'{result.CandidatePrograms[0].Strategy}'; val {string.Join(", ", result.CandidatePrograms.Select(c => $"'{c.Strategy}' {c.Score}"))}; " +
            $"{result.Budget.LmCalls} LM calls)");
        Assert.True(after.Score > before.Score + 10, $"BetterTogether {after.Score} should beat the unoptimized {before.Score}");
    }
}
