using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dspy.Cli;
using Microsoft.Extensions.AI;

namespace Dspy.Client.Tests.Sim;

/// <summary>
/// End-to-end over real HTTP: the simulated LM server on a loopback port, the OpenAI SDK (through <see cref="LM"/>) as
/// the client. The rate-limit window is shortened to 2 s (a "per minute" limit checked in seconds); nothing here asserts
/// how long our code takes.
/// </summary>
public sealed class SimServerEndToEndTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Burst_over_the_rate_limit_is_retried_after_retry_after_and_all_calls_succeed()
    {
        const int limit = 4;
        const int calls = 12;
        var backend = new EchoChatClient();
        await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = limit, Window = Window }, backend);
        var retries = new ConcurrentQueue<LMRetryEvent>();
        var lm = new LM("openai/sim-model", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false, numRetries: 10)
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            OnRetry = retries.Enqueue,
        };

        var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(i =>
            lm.CallAsync([new ChatMessage(ChatRole.User, $"question {i}")])));

        // Every call finally succeeded with its own answer.
        for (var i = 0; i < calls; i++) Assert.Equal($"echo: question {i}", results[i].Outputs.Single().Text);

        var stats = server.Stats;
        Assert.Equal(calls, stats.Served);
        Assert.True(stats.RateLimited > 0, "the burst should have been rate limited");
        Assert.Equal(stats.Served + stats.RateLimited, stats.RequestsReceived);

        // The client saw each 429 as a rate-limit error carrying the server's Retry-After, and waited at least that long.
        Assert.Equal(stats.RateLimited, retries.Count);
        Assert.All(retries, r =>
        {
            Assert.IsType<LMRateLimitError>(r.Error);
            Assert.Equal(429, r.Error.Status);
            Assert.NotNull(r.Error.RetryAfter);
            Assert.True(r.Delay >= r.Error.RetryAfter!.Value);
        });

        var records = server.Requests;
        // No retry arrived before the Retry-After instant the server gave for the same request.
        foreach (var r in records.Where(r => r.NotBefore is not null)) Assert.True(r.Arrival >= r.NotBefore!.Value, $"retry at {r.Arrival:O} before {r.NotBefore:O}");
        Assert.Equal(0, stats.EarlyRetries);
        // Every 429 carried a whole-second Retry-After no shorter than the time until capacity freed up.
        foreach (var r in records.Where(r => r.Status == 429))
        {
            Assert.NotNull(r.RetryAfter);
            Assert.Equal(0, r.RetryAfter!.Value.Ticks % TimeSpan.TicksPerSecond);
            Assert.True(r.RetryAfter >= r.RetryAfterPrecise);
        }
        // Never more than the limit served within any window.
        var served = records.Where(r => r.Status == 200).Select(r => r.Arrival).Order().ToList();
        Assert.Equal(calls, served.Count);
        for (var i = 0; i < served.Count; i++)
        {
            var inWindow = served.Count(t => t >= served[i] && t < served[i] + Window);
            Assert.True(inWindow <= limit, $"{inWindow} requests served within one window starting {served[i]:O}");
        }
        // Retries of a request reuse the same body, so every rate-limited body was finally served.
        var limitedBodies = records.Where(r => r.Status == 429).Select(r => r.BodyHash).ToHashSet();
        Assert.All(limitedBodies, h => Assert.Contains(records, r => r.BodyHash == h && r.Status == 200));
    }

    [Fact]
    public async Task Retry_after_header_is_whole_seconds_and_error_body_is_openai_shaped()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = 1, Window = TimeSpan.FromSeconds(30) }, new EchoChatClient());
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var body = new { model = "sim", messages = new[] { new { role = "user", content = "hi" } } };
        using var first = await http.PostAsJsonAsync("v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await http.PostAsJsonAsync("v1/chat/completions", body);
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        var retryAfter = int.Parse(second.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var retryAfterMs = double.Parse(second.Headers.GetValues("retry-after-ms").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 30);
        Assert.True(retryAfter * 1000 >= retryAfterMs);
        using var doc = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal("rate_limit_exceeded", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Chat_completion_response_has_the_openai_shape()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new EchoChatClient());
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var body = JsonDocument.Parse("""
            {"model": "sim-x", "n": 2, "temperature": 0.5, "max_tokens": 20, "seed": 7,
             "messages": [{"role": "system", "content": "be brief"},
                          {"role": "user", "content": [{"type": "text", "text": "part one"}, {"type": "text", "text": " part two"}]}],
             "response_format": {"type": "json_object"}}
            """).RootElement;
        using var response = await http.PostAsJsonAsync("v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("sim-x", root.GetProperty("model").GetString());
        var choices = root.GetProperty("choices");
        Assert.Equal(2, choices.GetArrayLength());
        Assert.Equal("echo: part one part two #0", choices[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("echo: part one part two #1", choices[1].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("assistant", choices[1].GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("stop", choices[0].GetProperty("finish_reason").GetString());
        var usage = root.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64() + usage.GetProperty("completion_tokens").GetInt64(),
            usage.GetProperty("total_tokens").GetInt64());

        using var models = await http.GetAsync("v1/models");
        using var modelsDoc = JsonDocument.Parse(await models.Content.ReadAsStringAsync());
        Assert.Equal("sim", modelsDoc.RootElement.GetProperty("data")[0].GetProperty("id").GetString());

        using var stats = JsonDocument.Parse(await http.GetStringAsync("sim/stats"));
        Assert.Equal(1, stats.RootElement.GetProperty("served").GetInt64());
        using var reset = await http.PostAsync("sim/reset", null);
        using var after = JsonDocument.Parse(await http.GetStringAsync("sim/stats"));
        Assert.Equal(0, after.RootElement.GetProperty("served").GetInt64());
    }

    [Fact]
    public async Task Lm_with_n_sends_one_request_per_generation_and_kwargs_reach_the_server()
    {
        var backend = new EchoChatClient();
        await using var server = await SimServer.StartAsync(new SimServerOptions(), backend);
        var lm = new LM("openai/sim-model", temperature: 0.7, maxTokens: 50, apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false);
        var response = await lm.CallAsync([new ChatMessage(ChatRole.User, "hello")],
            new Dictionary<string, object?> { ["n"] = 3L, ["seed"] = 11L, ["dspy_fallback_from"] = "ChatAdapter", ["user"] = "u1", ["logprobs"] = true });
        Assert.Equal(3, response.Outputs.Count);
        Assert.Equal(3, server.Stats.Served);
        // choice_index reaches an OpenAI-compatible server (api_base) so each generation can differ.
        Assert.Equal(["echo: hello #0", "echo: hello #1", "echo: hello #2"], response.Outputs.Select(o => o.Text));
        var received = backend.ReceivedOptions.ToList();
        Assert.All(received, o =>
        {
            Assert.Equal(0.7f, o!.Temperature);
            Assert.Equal(50, o.MaxOutputTokens);
            Assert.Equal(11L, o.Seed);
            Assert.False(o.AdditionalProperties?.ContainsKey("dspy_fallback_from") ?? false);
            // Extra kwargs without a typed option travel in the request body.
            Assert.Equal(true, o.AdditionalProperties?["logprobs"]);
        });
        // The LM's usage sums the three requests.
        Assert.True(response.Usage.PromptTokens > 0);
    }

    [Fact]
    public async Task Injected_failures_are_retried_by_the_lm()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { FailRate = 0.5 }, new EchoChatClient());
        var lm = new LM("openai/sim-model", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false, numRetries: 20)
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        };
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => lm.CallAsync([new ChatMessage(ChatRole.User, $"q{i}")])));
        Assert.All(results, r => Assert.StartsWith("echo: q", r.Outputs[0].Text, StringComparison.Ordinal));
        var stats = server.Stats;
        Assert.Equal(8, stats.Served);
        Assert.True(stats.InjectedFailures > 0);
        Assert.Equal(stats.Served + stats.InjectedFailures, stats.RequestsReceived);
    }

    [Fact]
    public async Task Azure_provider_reaches_the_simulator_through_the_azure_sdk()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new EchoChatClient());
        var lm = new LM("azure/my-deployment", apiKey: "test", apiBase: server.BaseAddress.ToString(), cache: false);
        var response = await lm.CallAsync([new ChatMessage(ChatRole.User, "via azure")]);
        Assert.Equal("echo: via azure", response.Outputs[0].Text);
        Assert.Equal(1, server.Stats.Served);
    }

    [Fact]
    public async Task Anthropic_provider_reaches_the_simulator_through_the_anthropic_sdk()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new EchoChatClient());
        var lm = new LM("anthropic/claude-sim", maxTokens: 64, apiKey: "test", apiBase: server.BaseAddress.ToString().TrimEnd('/'), cache: false);
        var response = await lm.CallAsync([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "via anthropic")]);
        Assert.Equal("echo: via anthropic", response.Outputs[0].Text);
        Assert.Equal("stop", response.Outputs[0].FinishReason);
        Assert.True(response.Usage.PromptTokens > 0);
        Assert.Equal(1, server.Stats.Served);
    }

    [Fact]
    public async Task Anthropic_rate_limits_map_to_rate_limit_errors()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = 1, Window = TimeSpan.FromSeconds(30) }, new EchoChatClient());
        var lm = new LM("anthropic/claude-sim", maxTokens: 64, apiKey: "test", apiBase: server.BaseAddress.ToString().TrimEnd('/'), cache: false,
            numRetries: 0);
        await lm.CallAsync([new ChatMessage(ChatRole.User, "first")]);
        var e = await Assert.ThrowsAsync<LMRateLimitError>(() => lm.CallAsync([new ChatMessage(ChatRole.User, "second")]));
        Assert.Equal(429, e.Status);
        Assert.Equal("anthropic", e.Provider);
        // The SDK's own retries are off: one 429, no hidden second attempt.
        Assert.Equal(1, server.Stats.RateLimited);
    }

    [Fact]
    public async Task Ollama_provider_reaches_the_simulator_through_ollamasharp()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new EchoChatClient());
        var lm = new LM("ollama_chat/llama-sim", temperature: 0.2, apiBase: server.BaseAddress.ToString(), cache: false);
        var response = await lm.CallAsync([new ChatMessage(ChatRole.User, "via ollama")]);
        Assert.Equal("echo: via ollama", response.Outputs[0].Text);
        Assert.Equal(1, server.Stats.Served);
    }

    [Fact]
    public async Task Ollama_rate_limits_map_to_rate_limit_errors()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = 1, Window = TimeSpan.FromSeconds(30) }, new EchoChatClient());
        var lm = new LM("ollama_chat/llama-sim", apiBase: server.BaseAddress.ToString(), cache: false, numRetries: 0);
        await lm.CallAsync([new ChatMessage(ChatRole.User, "first")]);
        var e = await Assert.ThrowsAsync<LMRateLimitError>(() => lm.CallAsync([new ChatMessage(ChatRole.User, "second")]));
        Assert.Equal("ollama_chat", e.Provider);
    }
}
