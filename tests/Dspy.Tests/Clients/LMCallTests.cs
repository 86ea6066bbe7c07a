using Microsoft.Extensions.AI;

namespace Dspy.Tests.Clients;

public sealed class LMCallTests
{
    private static readonly ChatMessage[] Hello = [new ChatMessage(ChatRole.User, "hello")];

    private static LM Lm(ScriptedChatClient client, bool cache = true, string model = "custom/model", double? temperature = null,
        IReadOnlyDictionary<string, object?>? kwargs = null)
        => new(model, client, temperature: temperature, cache: cache, kwargs: kwargs)
        {
            CacheStore = new Cache(enableDiskCache: false, enableMemoryCache: true),
            TimeProvider = new InstantTimeProvider(),
        };

    [Fact]
    public async Task Second_identical_call_is_a_cache_hit_without_usage()
    {
        var client = new ScriptedChatClient();
        var lm = Lm(client);
        var first = await lm.CallAsync(Hello);
        var second = await lm.CallAsync(Hello);
        Assert.Single(client.Calls);
        Assert.False(first.CacheHit);
        Assert.Equal(10, first.Usage.PromptTokens);
        Assert.Equal(2, first.Usage.Details["prompt_tokens_details.cached_tokens"]);
        Assert.True(second.CacheHit);
        Assert.Equal(LMUsage.Empty, second.Usage);
        Assert.Equal(first.Outputs[0].Text, second.Outputs[0].Text);
    }

    [Fact]
    public async Task A_versioned_client_does_not_reuse_answers_cached_under_another_version()
    {
        var client = new ScriptedChatClient();
        var store = new Cache(enableDiskCache: false, enableMemoryCache: true);
        LM Versioned(string version) => new("custom/model", client, capabilities: LMCapabilities.Generic with { CacheVersion = version })
        {
            CacheStore = store,
            TimeProvider = new InstantTimeProvider(),
        };

        await Versioned("v1").CallAsync(Hello);
        var sameVersion = await Versioned("v1").CallAsync(Hello);
        var newVersion = await Versioned("v2").CallAsync(Hello);

        Assert.True(sameVersion.CacheHit);
        Assert.False(newVersion.CacheHit);
        Assert.Equal(2, client.Calls.Count);
        Assert.StartsWith("sim-", LMCapabilities.Sim.CacheVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_false_on_the_lm_or_per_call_skips_the_cache()
    {
        var client = new ScriptedChatClient();
        var uncached = Lm(client, cache: false);
        await uncached.CallAsync(Hello);
        await uncached.CallAsync(Hello);
        Assert.Equal(2, client.Calls.Count);

        var other = new ScriptedChatClient();
        var cached = Lm(other);
        await cached.CallAsync(Hello);
        var perCall = await cached.CallAsync(Hello, new Dictionary<string, object?> { ["cache"] = false });
        Assert.False(perCall.CacheHit);
        Assert.Equal(2, other.Calls.Count);
        // cache is never sent to the provider.
        Assert.All(other.Calls, c => Assert.False(c.Options?.AdditionalProperties?.ContainsKey("cache") ?? false));
    }

    [Fact]
    public async Task Rollout_id_separates_cache_entries_and_null_is_the_same_as_absent()
    {
        var client = new ScriptedChatClient();
        var lm = Lm(client, temperature: 1.0);
        await lm.CallAsync(Hello);
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["rollout_id"] = null });
        Assert.Single(client.Calls);
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["rollout_id"] = 1L });
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["rollout_id"] = 2L });
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["rollout_id"] = 1L });
        Assert.Equal(3, client.Calls.Count);
        // Not a sim provider: rollout_id is never sent.
        Assert.All(client.Calls, c => Assert.False(c.Options?.AdditionalProperties?.ContainsKey("rollout_id") ?? false));
    }

    [Fact]
    public async Task Sim_provider_receives_rollout_id()
    {
        var client = new ScriptedChatClient();
        var lm = Lm(client, model: "sim/qa", temperature: 0.7);
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["rollout_id"] = 5L });
        var options = Assert.Single(client.Calls).Options!;
        Assert.Equal(5L, options.AdditionalProperties!["rollout_id"]);
        Assert.Equal("qa", options.ModelId);
    }

    [Fact]
    public async Task Rollout_id_with_temperature_zero_warns_once()
    {
        var logger = new CapturingLogger();
        var lm = new LM("custom/model", new ScriptedChatClient(), temperature: 0.0, cache: false) { Logger = logger };
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["rollout_id"] = 1L });
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["rollout_id"] = 2L });
        var warning = Assert.Single(logger.Messages);
        Assert.Equal("rollout_id has no effect when temperature=0; set temperature>0 to bypass the cache.", warning);
    }

    [Fact]
    public async Task N_generations_are_concurrent_requests_with_choice_index_cached_as_one_entry()
    {
        var client = new ScriptedChatClient();
        var lm = Lm(client, temperature: 0.7);
        var response = await lm.CallAsync(Hello, new Dictionary<string, object?> { ["n"] = 3L });
        Assert.Equal(["answer to: hello #0", "answer to: hello #1", "answer to: hello #2"], response.Outputs.Select(o => o.Text));
        Assert.Equal(3, client.Calls.Count);
        Assert.Equal(30, response.Usage.PromptTokens);
        Assert.Equal(1, response.Usage.Calls);
        var again = await lm.CallAsync(Hello, new Dictionary<string, object?> { ["n"] = 3L });
        Assert.True(again.CacheHit);
        Assert.Equal(3, again.Outputs.Count);
        Assert.Equal(3, client.Calls.Count);
    }

    [Fact]
    public async Task Usage_is_tracked_only_for_real_calls()
    {
        var tracker = new UsageTracker();
        using var scope = Settings.Context(s => s with { UsageTracker = tracker });
        var lm = Lm(new ScriptedChatClient());
        await lm.CallAsync(Hello);
        await lm.CallAsync(Hello); // cache hit
        var usage = tracker.GetTotalTokens()["custom/model"];
        Assert.Equal(10, usage.PromptTokens);
        Assert.Equal(5, usage.CompletionTokens);
        Assert.Equal(1, usage.Calls);
    }

    [Fact]
    public async Task Tool_calls_and_reasoning_become_outputs()
    {
        var reply = new ChatMessage(ChatRole.Assistant,
        [
            new TextReasoningContent("thinking"),
            new FunctionCallContent("call_9", "lookup", new Dictionary<string, object?> { ["q"] = "x" }),
        ]);
        var client = new ScriptedChatClient().Then(new ChatResponse(reply) { FinishReason = ChatFinishReason.ToolCalls });
        var response = await Lm(client, cache: false).CallAsync(Hello);
        var output = Assert.Single(response.Outputs);
        Assert.Null(output.Text);
        Assert.Equal("thinking", output.ReasoningContent);
        Assert.Equal("tool_calls", output.FinishReason);
        var call = Assert.Single(output.ToolCalls!);
        Assert.Equal(("call_9", "lookup", "x"), (call.Id, call.Name, call.Args["q"]));
    }

    [Fact]
    public async Task Dspy_keys_are_recorded_in_history_but_never_sent()
    {
        var client = new ScriptedChatClient();
        var lm = Lm(client, cache: false, kwargs: new Dictionary<string, object?> { ["api_key"] = "sk-secret" });
        await lm.CallAsync(Hello, new Dictionary<string, object?> { ["dspy_fallback_from"] = "ChatAdapter", ["logprobs"] = true });
        var options = Assert.Single(client.Calls).Options!;
        Assert.False(options.AdditionalProperties!.ContainsKey("dspy_fallback_from"));
        Assert.False(options.AdditionalProperties.ContainsKey("api_key"));
        Assert.Equal(true, options.AdditionalProperties["logprobs"]);
        var entry = Assert.Single(lm.History.Entries);
        Assert.Equal("ChatAdapter", entry.Kwargs["dspy_fallback_from"]);
        Assert.False(entry.Kwargs.ContainsKey("api_key"));
    }

    [Fact]
    public async Task Text_model_type_sends_one_prompt_ending_with_begin_response()
    {
        var client = new ScriptedChatClient();
        var lm = new LM("custom/model", client, cache: false, modelType: "text");
        await lm.CallAsync([new ChatMessage(ChatRole.System, "sys"), new ChatMessage(ChatRole.User, "question")]);
        var sent = Assert.Single(Assert.Single(client.Calls).Messages);
        Assert.Equal("sys\n\nquestion\n\nBEGIN RESPONSE:", sent.Text);
    }
}
