using System.ClientModel;
using System.Globalization;

namespace Dspy;

/// <summary>
/// Maps the exceptions of the provider SDKs (OpenAI/Azure <see cref="ClientResultException"/>, Anthropic, OllamaSharp,
/// <see cref="HttpRequestException"/>, timeouts) to DSPy's <see cref="LMError"/> hierarchy, and says which are worth retrying.
/// </summary>
/// <remarks>Not called <c>LMErrors</c>: the adapters have an internal helper of that name.</remarks>
public static class LMErrorMapper
{
    /// <summary>
    /// DSPy's <c>is_retryable_lm_error</c>: rate limits, server errors, timeouts and transport failures are transient;
    /// everything else (auth, billing, bad requests, configuration) would fail again.
    /// </summary>
    public static bool IsRetryable(Exception exception)
        => exception is LMRateLimitError or LMServerError or LMTimeoutError or LMTransportError;

    /// <summary>The error class for an HTTP status (DSPy's status table); <paramref name="message"/> decides context-window errors.</summary>
    public static LMError FromStatus(int status, string message, Exception? inner = null)
    {
        message ??= "";
        return status switch
        {
            401 or 403 => new LMAuthError(message, inner),
            402 => new LMBillingError(message, inner),
            429 => new LMRateLimitError(message, inner),
            408 => new LMTimeoutError(message, inner),
            404 => new LMUnsupportedModelError(message, inner),
            >= 500 and < 600 => new LMServerError(message, inner),
            >= 400 and < 500 when IsContextWindowMessage(message) => new ContextWindowExceededError(message, inner),
            413 => new ContextWindowExceededError(message, inner),
            >= 400 and < 500 => new LMInvalidRequestError(message, inner),
            _ => new LMUnexpectedError(message, inner),
        };
    }

    /// <summary>
    /// Converts any exception thrown by an <c>IChatClient</c> into an <see cref="LMError"/> carrying
    /// <paramref name="model"/> and <paramref name="provider"/>. <see cref="LMError"/>s pass through (with the model filled in).
    /// A cancellation is reported as a timeout only when <paramref name="callerToken"/> was not cancelled; a caller's own
    /// cancellation is not an LM error and is not converted (callers should let it propagate).
    /// </summary>
    public static LMError FromException(Exception exception, string? model, string? provider, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Classify(exception, callerToken).WithMetadata(model, provider);
    }

    private static LMError Classify(Exception exception, CancellationToken callerToken)
    {
        switch (exception)
        {
            case LMError lm:
                return lm;
            case ClientResultException cre:
                return FromClientResult(cre);
            case Anthropic.Exceptions.AnthropicApiException ae:
                {
                    var status = (int)ae.StatusCode;
                    return FromStatus(status, ae.Message, ae).WithMetadata(status: status, requestId: ae.RequestID);
                }
            case Anthropic.Exceptions.AnthropicIOException io:
                return new LMTransportError(io.Message, io);
            case OllamaSharp.Models.Exceptions.ModelDoesNotSupportToolsException ot:
                return new LMUnsupportedFeatureError(ot.Message, ot);
            case OllamaSharp.Models.Exceptions.OllamaException oe:
                return oe.Message.Contains("not found", StringComparison.OrdinalIgnoreCase)
                    ? new LMUnsupportedModelError(oe.Message, oe)
                    : new LMProviderError(oe.Message, oe);
            case HttpRequestException hre when hre.StatusCode is { } code:
                return FromStatus((int)code, hre.Message, hre).WithMetadata(status: (int)code);
            case HttpRequestException hre:
                return new LMTransportError(hre.Message, hre);
            case TimeoutException te:
                return new LMTimeoutError(te.Message, te);
            case OperationCanceledException oce when !callerToken.IsCancellationRequested:
                // HttpClient reports its own timeout as a TaskCanceledException; the caller did not cancel, so it timed out.
                return new LMTimeoutError("The LM request timed out: " + oce.Message, oce);
            case NotSupportedException nse:
                return new LMUnsupportedFeatureError(nse.Message, nse);
            default:
                return new LMUnexpectedError($"{exception.GetType().Name}: {exception.Message}", exception);
        }
    }

    private static LMError FromClientResult(ClientResultException cre)
    {
        var response = cre.GetRawResponse();
        if (cre.Status == 0 || response is null)
        {
            // No HTTP answer at all: the pipeline wraps connection failures this way.
            return new LMTransportError(cre.Message, cre);
        }
        var error = FromStatus(cre.Status, cre.Message, cre);
        string? requestId = response.Headers.TryGetValue("x-request-id", out var rid) ? rid
            : response.Headers.TryGetValue("apim-request-id", out var arid) ? arid : null;
        // When both headers are present the longer wait wins: never retry sooner than the server asked in either form.
        var precise = response.Headers.TryGetValue("retry-after-ms", out var ms) ? ParseRetryAfterMs(ms) : null;
        var coarse = response.Headers.TryGetValue("retry-after", out var ra) ? ParseRetryAfter(ra, DateTimeOffset.UtcNow) : null;
        TimeSpan? retryAfter = precise is null ? coarse : coarse is null ? precise : (precise > coarse ? precise : coarse);
        string? code = null;
        try
        {
            var body = response.Content?.ToString();
            if (!string.IsNullOrEmpty(body)) code = ErrorCodeFromBody(body);
        }
        catch (InvalidOperationException)
        {
            // The body was streamed and not buffered; the status alone classifies the error.
        }
        return error.WithMetadata(status: cre.Status, requestId: requestId, retryAfter: retryAfter, providerCode: code);
    }

    /// <summary>Parses a <c>retry-after-ms</c> header value (milliseconds, possibly fractional).</summary>
    public static TimeSpan? ParseRetryAfterMs(string? value)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    /// <summary>Parses a <c>Retry-After</c> header value: delay seconds, or an HTTP date relative to <paramref name="now"/>.</summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        if (DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var delay = date - now;
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }
        return null;
    }

    private static string? ErrorCodeFromBody(string body)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var err)
                && err.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                if (err.TryGetProperty("code", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String) return c.GetString();
                if (err.TryGetProperty("type", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String) return t.GetString();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: no provider code.
        }
        return null;
    }

    private static bool IsContextWindowMessage(string message)
        => message.Contains("context_length_exceeded", StringComparison.OrdinalIgnoreCase)
        || message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase)
        || message.Contains("context window", StringComparison.OrdinalIgnoreCase)
        || message.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase);
}
