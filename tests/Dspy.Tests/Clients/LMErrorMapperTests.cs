using System.ClientModel;
using System.Net;

namespace Dspy.Tests.Clients;

public sealed class LMErrorMapperTests
{
    [Theory]
    [InlineData(401, typeof(LMAuthError))]
    [InlineData(403, typeof(LMAuthError))]
    [InlineData(402, typeof(LMBillingError))]
    [InlineData(429, typeof(LMRateLimitError))]
    [InlineData(408, typeof(LMTimeoutError))]
    [InlineData(404, typeof(LMUnsupportedModelError))]
    [InlineData(500, typeof(LMServerError))]
    [InlineData(503, typeof(LMServerError))]
    [InlineData(400, typeof(LMInvalidRequestError))]
    [InlineData(422, typeof(LMInvalidRequestError))]
    public void Status_codes_map_to_dspys_classes(int status, Type expected)
        => Assert.IsType(expected, LMErrorMapper.FromStatus(status, "boom"));

    [Fact]
    public void Context_window_messages_are_recognised()
    {
        var e = LMErrorMapper.FromStatus(400, "This model's maximum context length is 8192 tokens (context_length_exceeded)");
        Assert.IsType<ContextWindowExceededError>(e);
        Assert.IsAssignableFrom<LMInvalidRequestError>(e);
    }

    [Fact]
    public void Hierarchy_mirrors_dspy()
    {
        Assert.IsAssignableFrom<DspyException>(new LMError("x"));
        Assert.IsAssignableFrom<LMProviderError>(new LMRateLimitError("x"));
        Assert.IsAssignableFrom<LMConfigurationError>(new LMNotConfiguredError("x"));
        Assert.IsAssignableFrom<LMInvalidRequestError>(new LMUnsupportedModelError("x"));
        Assert.False(typeof(ArgumentException).IsAssignableFrom(typeof(LMError)));
    }

    [Fact]
    public void Retryable_errors_are_rate_limits_server_errors_timeouts_and_transport()
    {
        Assert.True(LMErrorMapper.IsRetryable(new LMRateLimitError("x")));
        Assert.True(LMErrorMapper.IsRetryable(new LMServerError("x")));
        Assert.True(LMErrorMapper.IsRetryable(new LMTimeoutError("x")));
        Assert.True(LMErrorMapper.IsRetryable(new LMTransportError("x")));
        Assert.False(LMErrorMapper.IsRetryable(new LMAuthError("x")));
        Assert.False(LMErrorMapper.IsRetryable(new LMInvalidRequestError("x")));
        Assert.False(LMErrorMapper.IsRetryable(new LMConfigurationError("x")));
        Assert.False(LMErrorMapper.IsRetryable(new InvalidOperationException("x")));
    }

    [Fact]
    public void Openai_sdk_errors_carry_status_request_id_provider_code_and_retry_after()
    {
        var response = new FakePipelineResponse(429,
            new Dictionary<string, string> { ["retry-after"] = "3", ["retry-after-ms"] = "2500", ["x-request-id"] = "req_42" },
            """{"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}""");
        var sdkError = new ClientResultException(response);
        var e = LMErrorMapper.FromException(sdkError, "openai/gpt-4o-mini", "openai");
        var rate = Assert.IsType<LMRateLimitError>(e);
        Assert.Equal(429, rate.Status);
        Assert.Equal("req_42", rate.RequestId);
        Assert.Equal("rate_limit_exceeded", rate.ProviderCode);
        Assert.Equal("openai/gpt-4o-mini", rate.Model);
        Assert.Equal("openai", rate.Provider);
        // The longer of the two headers wins: never sooner than the server asked.
        Assert.Equal(TimeSpan.FromSeconds(3), rate.RetryAfter);
        Assert.Same(sdkError, rate.InnerException);
    }

    [Fact]
    public void Retry_after_parses_seconds_and_http_dates()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), LMErrorMapper.ParseRetryAfter("7", now));
        Assert.Equal(TimeSpan.FromSeconds(30), LMErrorMapper.ParseRetryAfter("Thu, 01 Jan 2026 12:00:30 GMT", now));
        Assert.Null(LMErrorMapper.ParseRetryAfter("soon", now));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), LMErrorMapper.ParseRetryAfterMs("1500"));
    }

    [Fact]
    public void Http_and_timeout_exceptions_are_classified()
    {
        Assert.IsType<LMTransportError>(LMErrorMapper.FromException(new HttpRequestException("connection refused"), "m", "p"));
        Assert.IsType<LMServerError>(LMErrorMapper.FromException(new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway), "m", "p"));
        Assert.IsType<LMTimeoutError>(LMErrorMapper.FromException(new TaskCanceledException("HttpClient.Timeout"), "m", "p", CancellationToken.None));
        Assert.IsType<LMTimeoutError>(LMErrorMapper.FromException(new TimeoutException(), "m", "p"));
        Assert.IsType<LMUnexpectedError>(LMErrorMapper.FromException(new InvalidOperationException("?"), "m", "p"));
    }

    [Fact]
    public void Anthropic_sdk_errors_are_classified_by_status()
    {
        var inner = new HttpRequestException("overloaded", null, (HttpStatusCode)529);
        var e = LMErrorMapper.FromException(new Anthropic.Exceptions.AnthropicOverloadedException(inner) { StatusCode = (HttpStatusCode)529, ResponseBody = "{}" },
            "anthropic/claude-sonnet-4", "anthropic");
        Assert.IsType<LMServerError>(e);
        Assert.Equal(529, e.Status);
    }
}
