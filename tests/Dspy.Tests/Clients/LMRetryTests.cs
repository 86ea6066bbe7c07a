using Microsoft.Extensions.AI;

namespace Dspy.Tests.Clients;

public sealed class LMRetryTests
{
    private static readonly ChatMessage[] Hello = [new ChatMessage(ChatRole.User, "hello")];

    [Fact]
    public async Task Rate_limits_are_retried_no_sooner_than_retry_after()
    {
        var clock = new InstantTimeProvider();
        var client = new ScriptedChatClient()
            .Then(new LMRateLimitError("slow down") { Status = 429, RetryAfter = TimeSpan.FromSeconds(20) })
            .Then(new LMServerError("oops") { Status = 500 });
        var retries = new List<LMRetryEvent>();
        var lm = new LM("custom/model", client, cache: false) { TimeProvider = clock, OnRetry = retries.Add };
        var response = await lm.CallAsync(Hello);
        Assert.Equal("answer to: hello", response.Outputs[0].Text);
        Assert.Equal(3, client.Calls.Count);
        var delays = clock.Delays.ToList();
        Assert.True(delays[0] >= TimeSpan.FromSeconds(20));
        Assert.Equal([1, 2], retries.Select(r => r.Attempt));
        Assert.IsType<LMRateLimitError>(retries[0].Error);
        Assert.Equal(TimeSpan.FromSeconds(20), retries[0].Delay);
        // The clock moved at least as far as the announced delays (timers get whole milliseconds, so it may be topped up).
        Assert.True(clock.GetElapsedTime(0) >= retries[0].Delay + retries[1].Delay);
    }

    [Fact]
    public async Task Default_three_retries_means_four_attempts_then_the_typed_error()
    {
        var client = new ScriptedChatClient();
        for (var i = 0; i < 5; i++) client.Then(new HttpRequestException("rate limited", null, System.Net.HttpStatusCode.TooManyRequests));
        var lm = new LM("custom/model", client, cache: false) { TimeProvider = new InstantTimeProvider() };
        var e = await Assert.ThrowsAsync<LMRateLimitError>(() => lm.CallAsync(Hello));
        Assert.Equal(4, client.Calls.Count);
        Assert.Equal("custom/model", e.Model);
        Assert.Equal("custom", e.Provider);
        Assert.Equal(429, e.Status);
    }

    [Fact]
    public async Task Non_retryable_errors_fail_at_once()
    {
        var client = new ScriptedChatClient().Then(new HttpRequestException("bad key", null, System.Net.HttpStatusCode.Unauthorized));
        var clock = new InstantTimeProvider();
        var lm = new LM("custom/model", client, cache: false) { TimeProvider = clock };
        await Assert.ThrowsAsync<LMAuthError>(() => lm.CallAsync(Hello));
        Assert.Single(client.Calls);
        Assert.Empty(clock.Delays);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_converted_or_retried()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var client = new ScriptedChatClient().Then(new OperationCanceledException(cts.Token));
        var lm = new LM("custom/model", client, cache: false) { TimeProvider = new InstantTimeProvider() };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lm.CallAsync(Hello, cancellationToken: cts.Token));
        Assert.Single(client.Calls);
    }

    [Fact]
    public void Backoff_grows_exponentially_with_reproducible_jitter_and_respects_retry_after()
    {
        var lm = new LM("custom/model", new ScriptedChatClient()) { RetryBaseDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(8) };
        var d1 = lm.RetryDelay(1, null, "key", 0);
        var d2 = lm.RetryDelay(2, null, "key", 0);
        var d5 = lm.RetryDelay(5, null, "key", 0);
        Assert.InRange(d1, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(d2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(d5, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
        Assert.Equal(d2, lm.RetryDelay(2, null, "key", 0));
        Assert.Equal(TimeSpan.FromSeconds(30), lm.RetryDelay(1, TimeSpan.FromSeconds(30), "key", 0));
    }
}
