namespace Dspy.Cli;

/// <summary>Counters of the simulated LM server (<c>GET /sim/stats</c>).</summary>
public sealed record SimServerStats
{
    /// <summary>Chat completion requests received.</summary>
    public long RequestsReceived { get; init; }

    /// <summary>Requests answered 200.</summary>
    public long Served { get; init; }

    /// <summary>Requests answered 429 (rate limited).</summary>
    public long RateLimited { get; init; }

    /// <summary>Injected HTTP 500s.</summary>
    public long InjectedFailures { get; init; }

    /// <summary>Injected hangs (timeouts).</summary>
    public long Timeouts { get; init; }

    /// <summary>Responses whose text was corrupted on purpose.</summary>
    public long Malformed { get; init; }

    /// <summary>Requests answered 400 (unparseable).</summary>
    public long BadRequests { get; init; }

    /// <summary>Retries of a rate-limited request that arrived before the Retry-After instant the server gave for it.</summary>
    public long EarlyRetries { get; init; }

    /// <summary>Prompt tokens of served requests.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Completion tokens of served requests.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>Prompt plus completion tokens of served requests.</summary>
    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>Files uploaded (<c>POST /v1/files</c>); not cleared by <c>/sim/reset</c>.</summary>
    public long FilesUploaded { get; init; }

    /// <summary>Fine-tuning jobs created (<c>POST /v1/fine_tuning/jobs</c>; each a paid job on a real provider); not cleared by <c>/sim/reset</c>.</summary>
    public long FineTuningJobsCreated { get; init; }

    /// <summary>Requests answered 200 by the model the request named (e.g. <c>sim</c>, a fine-tuned <c>ft:sim:dspy-sim::...</c>), by name.</summary>
    public IReadOnlyDictionary<string, long> ServedByModel { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
}

/// <summary>One chat completion request as the server saw it (for tests and diagnostics).</summary>
/// <param name="BodyHash">SHA-256 hex of the request body (identifies retries of the same request).</param>
/// <param name="Arrival">When it arrived (server clock).</param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="RetryAfter">The Retry-After given with a 429 (whole seconds, as sent).</param>
/// <param name="RetryAfterPrecise">The exact time until capacity frees up (sent as <c>retry-after-ms</c>).</param>
/// <param name="NotBefore">For a retry of a rate-limited request: the earliest instant the server allowed it.</param>
public sealed record SimRequestRecord(string BodyHash, DateTimeOffset Arrival, int Status, TimeSpan? RetryAfter, TimeSpan? RetryAfterPrecise,
    DateTimeOffset? NotBefore);
