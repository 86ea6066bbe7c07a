using System.Net;
using System.Net.Http.Json;
using Dspy.Cli;
using Microsoft.Extensions.AI;

namespace Dspy.Client.Tests.Sim;

public sealed class SimServerBehaviourTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Request_limit_frees_up_when_the_oldest_admission_leaves_the_window()
    {
        var limiter = new SimRateLimiter(rpm: 2, tpm: null, window: TimeSpan.FromSeconds(60));
        Assert.True(limiter.TryAdmit(T0, 1, out _));
        Assert.True(limiter.TryAdmit(T0.AddSeconds(10), 1, out _));
        Assert.False(limiter.TryAdmit(T0.AddSeconds(20), 1, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(40), wait);
        Assert.True(limiter.TryAdmit(T0.AddSeconds(60), 1, out _));
    }

    [Fact]
    public void Token_limit_waits_until_enough_tokens_leave_the_window()
    {
        var limiter = new SimRateLimiter(rpm: null, tpm: 100, window: TimeSpan.FromSeconds(60));
        Assert.True(limiter.TryAdmit(T0, 50, out _));
        Assert.True(limiter.TryAdmit(T0.AddSeconds(5), 40, out _));
        Assert.False(limiter.TryAdmit(T0.AddSeconds(6), 30, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(54), wait); // the first 50 tokens leave at T0 + 60
        Assert.False(limiter.TryAdmit(T0.AddSeconds(6), 500, out var never));
        Assert.Equal(TimeSpan.FromSeconds(60), never);
    }

    [Fact]
    public async Task Timeout_injection_hangs_until_the_client_gives_up_and_maps_to_a_timeout_error()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { TimeoutRate = 1.0, TimeoutHang = TimeSpan.FromSeconds(30) }, new EchoChatClient());
        var lm = new LM("openai/sim-model", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false, numRetries: 0)
        {
            RequestTimeout = TimeSpan.FromSeconds(5), // long enough for the request to reach a busy test machine (1.5 s was not, at load 40)
        };
        var e = await Assert.ThrowsAsync<LMTimeoutError>(() => lm.CallAsync([new ChatMessage(ChatRole.User, "slow")]));
        Assert.True(LMErrorMapper.IsRetryable(e));
        Assert.Equal(1, server.Stats.Timeouts);
        Assert.Equal(0, server.Stats.Served);
    }

    [Fact]
    public async Task Malformed_injection_cuts_the_text()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { MalformedRate = 1.0 }, new EchoChatClient());
        var lm = new LM("openai/sim-model", apiKey: "test", apiBase: server.ApiBase.ToString(), cache: false);
        var response = await lm.CallAsync([new ChatMessage(ChatRole.User, "abcdefgh")]);
        Assert.Equal("echo: abcdefgh"[..7], response.Outputs[0].Text);
        Assert.Equal(1, server.Stats.Malformed);
    }

    [Fact]
    public async Task Injected_failures_depend_on_the_request_not_on_call_order()
    {
        var bodies = Enumerable.Range(0, 12).Select(i => new { model = "sim", messages = new[] { new { role = "user", content = $"q{i}" } } }).ToList();
        async Task<List<HttpStatusCode>> RunAsync(IEnumerable<object> order)
        {
            await using var server = await SimServer.StartAsync(new SimServerOptions { FailRate = 0.5 }, new EchoChatClient());
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var statuses = new Dictionary<object, HttpStatusCode>();
            foreach (var body in order)
            {
                using var r = await http.PostAsJsonAsync("v1/chat/completions", body);
                statuses[body] = r.StatusCode;
            }
            return [.. bodies.Select(b => statuses[b])];
        }
        var forward = await RunAsync(bodies);
        var backward = await RunAsync(Enumerable.Reverse(bodies));
        Assert.Equal(forward, backward);
        Assert.Contains(HttpStatusCode.InternalServerError, forward);
        Assert.Contains(HttpStatusCode.OK, forward);
    }

    [Fact]
    public async Task Options_are_validated()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => SimServer.StartAsync(new SimServerOptions { FailRate = 2 }, new EchoChatClient()));
        await Assert.ThrowsAsync<ArgumentException>(() => SimServer.StartAsync(new SimServerOptions { Rpm = 0 }, new EchoChatClient()));
    }
}
