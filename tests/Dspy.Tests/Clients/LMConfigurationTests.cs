using Microsoft.Extensions.AI;

namespace Dspy.Tests.Clients;

public sealed class LMConfigurationTests
{
    [Theory]
    [InlineData("openai/o1", true)]
    [InlineData("openai/o3-mini", true)]
    [InlineData("openai/o4-mini-2025-04-16", true)]
    [InlineData("openai/o1-pro", true)]
    [InlineData("o3", true)]
    [InlineData("openai/gpt-5", true)]
    [InlineData("openai/gpt-5-mini", true)]
    [InlineData("azure/gpt-5-nano-2025-08-07", true)]
    [InlineData("openai/gpt-5-chat-latest", false)]
    [InlineData("openai/gpt-4o", false)]
    [InlineData("openai/o1-preview-mini", false)]
    [InlineData("anthropic/claude-sonnet-4", false)]
    public void Reasoning_models_are_recognised(string model, bool expected) => Assert.Equal(expected, ReasoningModels.IsReasoningModel(model));

    [Theory]
    [InlineData(0.7, null)]
    [InlineData(null, 4000L)]
    [InlineData(0.0, 20000L)]
    public void Reasoning_models_reject_other_temperatures_and_small_max_tokens(double? temperature, long? maxTokens)
    {
        var e = Assert.Throws<LMConfigurationError>(() => new LM("openai/o3-mini", temperature: temperature, maxTokens: maxTokens));
        Assert.Equal(ReasoningModels.ConfigurationMessage, e.Message);
        Assert.StartsWith("OpenAI's reasoning models require passing temperature=1.0 or None and max_tokens >= 16000 or None", e.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Reasoning_models_send_max_completion_tokens_and_dump_it_as_max_tokens()
    {
        var lm = new LM("openai/gpt-5", temperature: 1.0, maxTokens: 16000);
        Assert.Equal(16000L, lm.Kwargs["max_completion_tokens"]);
        Assert.False(lm.Kwargs.ContainsKey("max_tokens"));
        Assert.True(lm.SupportsReasoning);
        Assert.Equal(16000L, lm.DumpState()["max_tokens"]);
        var options = ChatOptionsMapper.ToChatOptions(lm.Kwargs, lm.ModelName, passRolloutId: false);
        Assert.Equal(16000, options.MaxOutputTokens);
    }

    [Fact]
    public void Construction_makes_no_call_and_needs_no_key()
    {
        var lm = new LM("openai/gpt-4o-mini", temperature: 0.0);
        Assert.Equal("openai", lm.Provider);
        Assert.Equal("gpt-4o-mini", lm.ModelName);
        Assert.True(lm.SupportsFunctionCalling);
        Assert.Contains("response_format", lm.SupportedParams);
        _ = new LM("azure/my-deployment");
        _ = new LM("anthropic/claude-sonnet-4-5");
        var ollama = new LM("ollama_chat/llama3.1");
        Assert.False(ollama.SupportsFunctionCalling);
        Assert.True(ollama.SupportsResponseSchema);
    }

    [Fact]
    public void Unknown_providers_fail_with_the_known_ones_listed()
    {
        var e = Assert.Throws<LMConfigurationError>(() => new LM("nosuchprovider/model"));
        Assert.Contains("'nosuchprovider'", e.Message, StringComparison.Ordinal);
        Assert.Contains("anthropic, azure, ollama, ollama_chat, openai", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registered_providers_build_their_client_on_first_call_with_the_model_context()
    {
        LMProviderContext? seen = null;
        var client = new ScriptedChatClient();
        LMProviders.Register("testprov-lm", ctx =>
        {
            seen = ctx;
            return client;
        });
        var lm = new LM("testprov-lm/model-a", apiKey: "k", apiBase: "http://localhost:1/v1", cache: false);
        Assert.Null(seen);
        await lm.CallAsync([new ChatMessage(ChatRole.User, "q")]);
        Assert.NotNull(seen);
        Assert.Equal(("testprov-lm", "model-a", "k", "http://localhost:1/v1"), (seen.Provider, seen.ModelName, seen.ApiKey, seen.ApiBase));
        Assert.Single(client.Calls);
        Assert.Contains("testprov-lm", LMProviders.Known);
    }

    [Fact]
    public void Copy_follows_dspy_semantics()
    {
        var client = new ScriptedChatClient();
        var lm = new LM("custom/model", client, temperature: 0.0, kwargs: new Dictionary<string, object?> { ["top_p"] = 0.9 });
        var copy = lm.Copy(new Dictionary<string, object?> { ["temperature"] = 0.8, ["top_p"] = null, ["rollout_id"] = 3L, ["cache"] = false, ["num_retries"] = 1L });
        Assert.Equal(0.8, copy.Kwargs["temperature"]);
        Assert.False(copy.Kwargs.ContainsKey("top_p"));
        Assert.Equal(3L, copy.Kwargs["rollout_id"]);
        Assert.False(copy.Cache);
        Assert.Equal(1, copy.NumRetries);
        Assert.Empty(copy.History.Entries);
        Assert.NotSame(lm.Kwargs, copy.Kwargs);
        // The original is untouched.
        Assert.Equal(0.0, lm.Kwargs["temperature"]);
        Assert.Equal(0.9, lm.Kwargs["top_p"]);
        Assert.True(lm.Cache);
        Assert.Same(lm.ChatClient, copy.ChatClient);
        var renamed = lm.Copy(new Dictionary<string, object?> { ["model"] = "custom/other" });
        Assert.Equal("custom/other", renamed.Model);
    }

    [Fact]
    public void Dump_state_has_dspys_shape_and_never_the_api_key()
    {
        var lm = new LM("openai/gpt-4o-mini", temperature: 0.5, maxTokens: 100, apiKey: "sk-secret", apiBase: "http://h/v1",
            kwargs: new Dictionary<string, object?> { ["n"] = 2L });
        var state = lm.DumpState();
        Assert.Equal(
            ["model", "model_type", "cache", "num_retries", "temperature", "max_tokens", "n", "api_base", "finetuning_model", "launch_kwargs", "train_kwargs"],
            state.Keys);
        Assert.Equal("openai/gpt-4o-mini", state["model"]);
        Assert.Equal(true, state["cache"]);
        Assert.Equal(3L, state["num_retries"]);
        Assert.Null(state["finetuning_model"]);
        Assert.DoesNotContain("api_key", state.Keys);

        var loaded = LM.LoadState(state);
        Assert.Equal(lm.Model, loaded.Model);
        Assert.Equal(0.5, loaded.Kwargs["temperature"]);
        Assert.Equal(100L, loaded.Kwargs["max_tokens"]);
        Assert.Equal(2L, loaded.Kwargs["n"]);
        Assert.Equal("http://h/v1", loaded.Kwargs["api_base"]);
    }

    [Fact]
    public void Prices_are_looked_up_by_longest_prefix_and_sim_is_nominal()
    {
        Assert.Equal(0.75, LMPricing.CostOf("openai/gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000)!.Value, 9);
        Assert.Equal(12.5, LMPricing.CostOf("openai/gpt-4o", 1_000_000, 1_000_000)!.Value, 9);
        Assert.Equal(3.0, LMPricing.CostOf("sim", 1_000_000, 1_000_000)!.Value, 9);
        Assert.Null(LMPricing.CostOf("ollama/llama3.1", 1000, 1000));
        Assert.Null(LMPricing.CostOf("azure/my-deployment", 1000, 1000));
    }
}
