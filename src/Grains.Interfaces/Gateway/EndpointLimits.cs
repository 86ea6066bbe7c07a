namespace Dspy.Grains;

/// <summary>An LM endpoint's limits, as its provider enforces them (requests and tokens per window, requests in flight).</summary>
[GenerateSerializer, Immutable, Alias("dspy.EndpointLimits")]
public sealed record EndpointLimits
{
    /// <summary>Requests per window; null means unlimited.</summary>
    [Id(0)] public int? RequestsPerWindow { get; init; }

    /// <summary>Tokens (prompt + completion) per window; null means unlimited.</summary>
    [Id(1)] public long? TokensPerWindow { get; init; }

    /// <summary>Requests in flight at once across the cluster; null means unlimited.</summary>
    [Id(2)] public int? MaxInFlight { get; init; }

    /// <summary>The window (a minute for providers' requests/min and tokens/min).</summary>
    [Id(3)] public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks the limits.</summary>
    /// <exception cref="ArgumentException">A limit is not positive or the window is not.</exception>
    public void Validate()
    {
        if (RequestsPerWindow is < 1) throw new ArgumentException("RequestsPerWindow must be at least 1.");
        if (TokensPerWindow is < 1) throw new ArgumentException("TokensPerWindow must be at least 1.");
        if (MaxInFlight is < 1) throw new ArgumentException("MaxInFlight must be at least 1.");
        if (Window <= TimeSpan.Zero) throw new ArgumentException("Window must be positive.");
    }
}

/// <summary>A silo asking the broker for permits (and settling what it used since its last call).</summary>
[GenerateSerializer, Immutable, Alias("dspy.PermitRequest")]
public sealed record PermitRequest
{
    /// <summary>The asking silo (leases are per silo).</summary>
    [Id(0)] public required string Silo { get; init; }

    /// <summary>Permits wanted (one per LM request).</summary>
    [Id(1)] public int Requests { get; init; } = 1;

    /// <summary>Estimated tokens per request.</summary>
    [Id(2)] public long TokensPerRequest { get; init; }

    /// <summary>Requests that finished since the last call (their in-flight slots are freed).</summary>
    [Id(3)] public int Completed { get; init; }

    /// <summary>Leased permits that expired unused (their in-flight slots are freed; their rate budget is not returned).</summary>
    [Id(4)] public int Unused { get; init; }

    /// <summary>Actual tokens minus estimated tokens of the finished requests (corrects the token bucket).</summary>
    [Id(5)] public long TokenCorrection { get; init; }

    /// <summary>
    /// How long ago the last of the <see cref="Completed"/> requests finished on the silo (an age, not a time, so silo
    /// clocks need not agree); the broker stops counting them a window after that, not after it heard of them.
    /// </summary>
    [Id(6)] public TimeSpan CompletedAgo { get; init; }
}

/// <summary>The broker's answer: permits granted (possibly fewer than asked) or, with none, when to ask again.</summary>
[GenerateSerializer, Immutable, Alias("dspy.PermitGrant")]
public sealed record PermitGrant
{
    /// <summary>Permits granted.</summary>
    [Id(0)] public int Granted { get; init; }

    /// <summary>When none were granted: how long until one could be.</summary>
    [Id(1)] public TimeSpan RetryAfter { get; init; }

    /// <summary>How long granted permits stay valid on the silo.</summary>
    [Id(2)] public TimeSpan LeaseTtl { get; init; }
}

/// <summary>What an endpoint's callers saw: a 429 (with the provider's Retry-After) or another failure.</summary>
[GenerateSerializer, Immutable, Alias("dspy.EndpointOutcome")]
public sealed record EndpointOutcome
{
    /// <summary>The request was rate limited (HTTP 429).</summary>
    [Id(0)] public bool RateLimited { get; init; }

    /// <summary>The provider's Retry-After, if it sent one.</summary>
    [Id(1)] public TimeSpan? RetryAfter { get; init; }

    /// <summary>A server error (5xx) or timeout: counted, never a reason to shrink the limit.</summary>
    [Id(2)] public bool Failed { get; init; }
}

/// <summary>The broker's counters and current limit.</summary>
[GenerateSerializer, Immutable, Alias("dspy.GatewayStats")]
public sealed record GatewayStats
{
    /// <summary>Permits granted.</summary>
    [Id(0)] public long Granted { get; init; }

    /// <summary>Requests refused with a retry-after.</summary>
    [Id(1)] public long Refused { get; init; }

    /// <summary>429s reported by callers.</summary>
    [Id(2)] public long RateLimited { get; init; }

    /// <summary>5xx/timeouts reported by callers.</summary>
    [Id(3)] public long Failures { get; init; }

    /// <summary>The current share of the configured limits (1 = full; halves on each 429).</summary>
    [Id(4)] public double LimitFactor { get; init; }

    /// <summary>Requests in flight (leased and not yet settled).</summary>
    [Id(5)] public int InFlight { get; init; }

    /// <summary>Leased permits that expired on their silo unused (their rate budget is spent all the same).</summary>
    [Id(6)] public long Unused { get; init; }

    /// <summary>Tokens granted (estimates, corrected with the usage the callers reported).</summary>
    [Id(7)] public long Tokens { get; init; }

    /// <summary>
    /// Mean seconds from a grant to its settlement (the caller saw the response): a grant counts that much longer than
    /// its window, so the steady rate is the limit per window + this.
    /// </summary>
    [Id(8)] public double MeanSettleSeconds { get; init; }
}
