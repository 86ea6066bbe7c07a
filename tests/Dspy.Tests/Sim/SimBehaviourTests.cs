using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Dspy.Tests.Sim;

public sealed class SimBehaviourTests
{
    private static readonly PField Text = new("text", "str");
    private static readonly PField Label = new("label", "Literal['book_flight', 'book_hotel', 'rent_car', 'cancel_flight']");

    private static List<ChatMessage> AmbiguousPrompt() => DspyPrompts.Build(PFormat.Chat, [Text], [Label], "Classify the intent.",
        [
            (new() { ["text"] = "I have a question about my trip to Paris" }, new() { ["label"] = "book_flight" }),
            (new() { ["text"] = "I have a question about my stay in Paris" }, new() { ["label"] = "book_hotel" }),
            (new() { ["text"] = "question about my car in Paris" }, new() { ["label"] = "rent_car" }),
            (new() { ["text"] = "a question about my flight to Paris" }, new() { ["label"] = "cancel_flight" }),
        ],
        new() { ["text"] = "I have a question about Paris" });

    private static ChatOptions Sampling(int rollout) => new() { Temperature = 1.0f, AdditionalProperties = new() { ["rollout_id"] = rollout } };

    [Fact]
    public async Task Same_request_gives_the_same_bytes()
    {
        var a = await new SimChatClient().GetResponseAsync(AmbiguousPrompt(), Sampling(3));
        var b = await new SimChatClient().GetResponseAsync(AmbiguousPrompt(), Sampling(3));
        Assert.Equal(a.Text, b.Text);
        Assert.Equal(a.ResponseId, b.ResponseId);
    }

    [Fact]
    public async Task Different_rollout_ids_at_temperature_one_can_differ()
    {
        var sim = new SimChatClient();
        var answers = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < 20; r++) answers.Add((await sim.GetResponseAsync(AmbiguousPrompt(), Sampling(r))).Text);
        Assert.True(answers.Count >= 2, "temperature 1 with 20 rollout ids should give more than one answer");

        var greedy = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < 5; r++)
        {
            greedy.Add((await sim.GetResponseAsync(AmbiguousPrompt(), new ChatOptions { Temperature = 0f, AdditionalProperties = new() { ["rollout_id"] = r } })).Text);
        }
        Assert.Single(greedy);
    }

    [Fact]
    public async Task Without_demos_a_sampled_arithmetic_guess_varies_with_the_rollout_and_greedy_adds()
    {
        var sim = new SimChatClient();
        List<ChatMessage> Prompt() => DspyPrompts.Build(PFormat.Chat, [new("question", "str")], [new("answer", "int")], "Answer the question.", [],
            new() { ["question"] = "A tree is 46 meters tall and a fence is 13 meters tall. How many meters taller is the tree than the fence?" });
        async Task<string> Answer(ChatOptions? o) => DspyPrompts.ParseChat((await sim.GetResponseAsync(Prompt(), o)).Text)["answer"];

        // Greedy: the sum of all numbers, whatever the rollout.
        for (var r = 0; r < 5; r++) Assert.Equal("59", await Answer(new ChatOptions { Temperature = 0f, AdditionalProperties = new() { ["rollout_id"] = r } }));
        // Sampled: other patterns of the catalogue too (46 - 13 = 33 among them), the same answer for the same request.
        var sampled = new List<string>();
        for (var r = 0; r < 40; r++) sampled.Add(await Answer(Sampling(r)));
        Assert.Contains("59", sampled);
        Assert.Contains("33", sampled);
        Assert.True(sampled.Distinct().Count() >= 4, string.Join(", ", sampled));
        Assert.Equal(sampled[7], await Answer(Sampling(7)));
    }

    [Fact]
    public async Task Usage_comes_from_the_o200k_tokenizer()
    {
        var messages = AmbiguousPrompt();
        var response = await new SimChatClient().GetResponseAsync(messages);
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt-4o");
        var expectedInput = messages.Sum(m => 3 + tokenizer.CountTokens(m.Text)) + 3;
        Assert.Equal(expectedInput, response.Usage!.InputTokenCount);
        Assert.Equal(tokenizer.CountTokens(response.Text), response.Usage.OutputTokenCount);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Streaming_yields_the_same_text_in_chunks_and_usage_last()
    {
        var sim = new SimChatClient(new SimOptions { StreamChunkChars = 5 });
        var whole = await sim.GetResponseAsync(AmbiguousPrompt());
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in sim.GetStreamingResponseAsync(AmbiguousPrompt())) updates.Add(u);
        Assert.True(updates.Count > 2);
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        var usage = Assert.IsType<UsageContent>(updates[^1].Contents.Single());
        Assert.Equal(whole.Usage!.TotalTokenCount, usage.Details.TotalTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Max_tokens_truncates_with_finish_reason_length_and_stop_sequences_cut()
    {
        var sim = new SimChatClient();
        var full = await sim.GetResponseAsync(AmbiguousPrompt());
        var cut = await sim.GetResponseAsync(AmbiguousPrompt(), new ChatOptions { MaxOutputTokens = 3 });
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        Assert.Equal(3, cut.Usage!.OutputTokenCount);
        Assert.StartsWith(cut.Text, full.Text, StringComparison.Ordinal);
        Assert.True(cut.Text.Length < full.Text.Length);

        var stopped = await sim.GetResponseAsync(AmbiguousPrompt(), new ChatOptions { StopSequences = ["[[ ## completed"] });
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
        Assert.Equal(full.Text[..full.Text.IndexOf("[[ ## completed", StringComparison.Ordinal)], stopped.Text);
    }

    [Fact]
    public async Task Malformed_rate_one_breaks_every_format()
    {
        var sim = new SimChatClient(new SimOptions { MalformedRate = 1.0 });
        var chat = (await sim.GetResponseAsync(AmbiguousPrompt())).Text;
        Assert.False(DspyPrompts.ParseChat(chat).ContainsKey("label"), chat);

        var json = DspyPrompts.Build(PFormat.Json, [Text], [Label], "Classify.", [], new() { ["text"] = "book a flight" });
        var jsonText = (await sim.GetResponseAsync(json)).Text;
        Assert.DoesNotContain('{', jsonText);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(jsonText));

        var xml = DspyPrompts.Build(PFormat.Xml, [Text], [Label], "Classify.", [], new() { ["text"] = "book a flight" });
        Assert.DoesNotContain("<label>", (await sim.GetResponseAsync(xml)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Noise_rate_one_changes_the_answer()
    {
        var messages = DspyPrompts.Build(PFormat.Chat, [Text], [Label], "Classify.",
            [(new() { ["text"] = "reserve a seat on a plane to Paris" }, new() { ["label"] = "book_flight" })],
            new() { ["text"] = "reserve a seat on a plane to Rome" });
        var clean = DspyPrompts.ParseChat((await new SimChatClient().GetResponseAsync(messages)).Text)["label"];
        var noisy = DspyPrompts.ParseChat((await new SimChatClient(new SimOptions { NoiseRate = 1.0 }).GetResponseAsync(messages)).Text)["label"];
        Assert.Equal("book_flight", clean);
        Assert.NotEqual(clean, noisy);
        Assert.Contains(noisy, new[] { "book_hotel", "rent_car", "cancel_flight" });
    }

    [Fact]
    public async Task Latency_honours_cancellation()
    {
        var sim = new SimChatClient(new SimOptions { Latency = TimeSpan.FromMinutes(5) });
        using var cts = new CancellationTokenSource();
        var call = sim.GetResponseAsync(AmbiguousPrompt(), cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public void Options_are_validated_and_metadata_reports_the_model()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimChatClient(new SimOptions { NoiseRate = 1.5 }));
        using var sim = new SimChatClient(new SimOptions { ModelId = "sim/small" });
        var metadata = Assert.IsType<ChatClientMetadata>(sim.GetService(typeof(ChatClientMetadata)));
        Assert.Equal("sim", metadata.ProviderName);
        Assert.Equal("sim/small", metadata.DefaultModelId);
        Assert.Same(sim, sim.GetService(typeof(IChatClient)));
    }

    [Fact]
    public void Request_key_covers_temperature_seed_rollout_and_choice()
    {
        List<ChatMessage> m = [new(ChatRole.User, "hi")];
        var keys = new[]
        {
            SimChatClient.RequestKey(m, null),
            SimChatClient.RequestKey(m, new ChatOptions { Temperature = 1f }),
            SimChatClient.RequestKey(m, new ChatOptions { Seed = 7 }),
            SimChatClient.RequestKey(m, new ChatOptions { AdditionalProperties = new() { ["rollout_id"] = 1 } }),
            SimChatClient.RequestKey(m, new ChatOptions { AdditionalProperties = new() { ["choice_index"] = 1 } }),
        };
        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
    }
}
