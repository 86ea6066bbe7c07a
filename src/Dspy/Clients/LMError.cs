namespace Dspy;

/// <summary>
/// DSPy's <c>LMError</c>: the base of every error raised by an LM call. It carries what is known about the failed
/// request: the model, the provider, the HTTP status, the provider's request id and how long the provider asked
/// the caller to wait before retrying.
/// </summary>
public class LMError : DspyException
{
    /// <summary>Creates the error.</summary>
    public LMError(string message, Exception? innerException = null) : base(message, innerException)
    {
    }

    private string? _model, _provider, _providerCode, _requestId;
    private int? _status;
    private TimeSpan? _retryAfter;

    /// <summary>The model that was called (<c>provider/name</c>), when known.</summary>
    public string? Model { get => _model; init => _model = value; }

    /// <summary>The provider (<c>openai</c>, <c>azure</c>, <c>anthropic</c>, <c>ollama</c>, <c>sim</c> ...), when known.</summary>
    public string? Provider { get => _provider; init => _provider = value; }

    /// <summary>The HTTP status code of the failed response, when there was one.</summary>
    public int? Status { get => _status; init => _status = value; }

    /// <summary>The provider's error code (e.g. <c>rate_limit_exceeded</c>), when it sent one.</summary>
    public string? ProviderCode { get => _providerCode; init => _providerCode = value; }

    /// <summary>The provider's request id (<c>x-request-id</c>), when it sent one.</summary>
    public string? RequestId { get => _requestId; init => _requestId = value; }

    /// <summary>How long the provider asked to wait before retrying (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get => _retryAfter; init => _retryAfter = value; }

    // The mapper learns the metadata after the exception object exists; values already set are kept.
    internal LMError WithMetadata(string? model = null, string? provider = null, int? status = null, string? requestId = null,
        TimeSpan? retryAfter = null, string? providerCode = null)
    {
        _model ??= model;
        _provider ??= provider;
        _status ??= status;
        _requestId ??= requestId;
        _retryAfter ??= retryAfter;
        _providerCode ??= providerCode;
        return this;
    }
}

/// <summary>DSPy's <c>LMTransportError</c>: the request never got an HTTP answer (connection refused, reset, DNS ...).</summary>
public class LMTransportError(string message, Exception? innerException = null) : LMError(message, innerException);

/// <summary>DSPy's <c>LMConfigurationError</c>: the LM was configured in a way the provider or DSPy rejects.</summary>
public class LMConfigurationError(string message, Exception? innerException = null) : LMError(message, innerException);

/// <summary>DSPy's <c>LMNotConfiguredError</c>: no LM is configured where one is needed.</summary>
public class LMNotConfiguredError(string message, Exception? innerException = null) : LMConfigurationError(message, innerException);

/// <summary>DSPy's <c>LMUnsupportedFeatureError</c>: the provider does not support a requested feature.</summary>
public class LMUnsupportedFeatureError(string message, Exception? innerException = null) : LMError(message, innerException);

/// <summary>DSPy's <c>LMUnexpectedError</c>: an error of a kind that could not be classified.</summary>
public class LMUnexpectedError(string message, Exception? innerException = null) : LMError(message, innerException);

/// <summary>DSPy's <c>LMProviderError</c>: the provider answered with an error status.</summary>
public class LMProviderError(string message, Exception? innerException = null) : LMError(message, innerException);

/// <summary>DSPy's <c>LMAuthError</c>: 401 or 403, the credentials were missing, wrong or not allowed.</summary>
public class LMAuthError(string message, Exception? innerException = null) : LMProviderError(message, innerException);

/// <summary>DSPy's <c>LMBillingError</c>: 402, the account cannot pay for the request.</summary>
public class LMBillingError(string message, Exception? innerException = null) : LMProviderError(message, innerException);

/// <summary>DSPy's <c>LMRateLimitError</c>: 429, too many requests or tokens; see <see cref="LMError.RetryAfter"/>.</summary>
public class LMRateLimitError(string message, Exception? innerException = null) : LMProviderError(message, innerException);

/// <summary>DSPy's <c>LMTimeoutError</c>: 408, or the request timed out on the client side.</summary>
public class LMTimeoutError(string message, Exception? innerException = null) : LMProviderError(message, innerException);

/// <summary>DSPy's <c>LMServerError</c>: a 5xx answer.</summary>
public class LMServerError(string message, Exception? innerException = null) : LMProviderError(message, innerException);

/// <summary>DSPy's <c>LMInvalidRequestError</c>: any other 4xx answer; the request itself is wrong.</summary>
public class LMInvalidRequestError(string message, Exception? innerException = null) : LMProviderError(message, innerException);

/// <summary>DSPy's <c>ContextWindowExceededError</c>: the prompt does not fit the model's context window.</summary>
public class ContextWindowExceededError(string message, Exception? innerException = null) : LMInvalidRequestError(message, innerException);

/// <summary>DSPy's <c>LMUnsupportedModelError</c>: 404, the provider does not know the model.</summary>
public class LMUnsupportedModelError(string message, Exception? innerException = null) : LMInvalidRequestError(message, innerException);
