namespace Dspy.Cli;

/// <summary>
/// Options of the simulated LM's OpenAI-compatible HTTP server (<c>dspy sim serve</c>). Limits use sliding windows of
/// <see cref="Window"/> (60 s, as the provider limits they imitate); tests shorten the window so that a "per minute" limit
/// is exercised in seconds. Injected failures are decided from a hash of the request body and the number of times that
/// same body has arrived, never from the order of unrelated requests.
/// </summary>
public sealed record SimServerOptions
{
    /// <summary>The loopback port; 0 picks a free one (read it from <see cref="SimServer.BaseAddress"/>).</summary>
    public int Port { get; init; }

    /// <summary>The model id reported by <c>/v1/models</c> (requests may name any model).</summary>
    public string ModelName { get; init; } = "sim";

    /// <summary>Requests allowed per window; null for no limit.</summary>
    public int? Rpm { get; init; }

    /// <summary>Tokens (estimated prompt tokens + requested max tokens at admission) allowed per window; null for no limit.</summary>
    public long? Tpm { get; init; }

    /// <summary>The length of the sliding rate-limit window: 60 s by default; shorter for tests.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Added latency per served request, in milliseconds.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Fraction of admitted requests answered with an injected HTTP 500.</summary>
    public double FailRate { get; init; }

    /// <summary>Fraction of admitted requests that hang until the client gives up (bounded by <see cref="TimeoutHang"/>, then 504).</summary>
    public double TimeoutRate { get; init; }

    /// <summary>How long a "timeout" request hangs at most before the server answers 504.</summary>
    public TimeSpan TimeoutHang { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Fraction of served responses whose text is corrupted (cut in half) to exercise parse failures.</summary>
    public double MalformedRate { get; init; }

    /// <summary>Status reads of a fine-tuning job until it finishes (queued, then running, then succeeded on this read).</summary>
    public int FineTuningPolls { get; init; } = 3;

    /// <summary>
    /// How long a fine-tuning job runs at least: it succeeds on the first status read that is both the
    /// <see cref="FineTuningPolls"/>-th or later and this long after its creation (zero: the polls alone decide).
    /// </summary>
    public TimeSpan FineTuningDuration { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> on a bad one.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"Port must be 0..65535, got {Port}.");
        if (Rpm is <= 0) throw new ArgumentException($"rpm must be positive, got {Rpm}.");
        if (Tpm is <= 0) throw new ArgumentException($"tpm must be positive, got {Tpm}.");
        if (Window <= TimeSpan.Zero) throw new ArgumentException("The window must be positive.");
        if (FineTuningPolls < 1) throw new ArgumentException($"fine-tuning polls must be at least 1, got {FineTuningPolls}.");
        if (FineTuningDuration < TimeSpan.Zero) throw new ArgumentException($"fine-tuning-seconds must not be negative, got {FineTuningDuration.TotalSeconds}.");
        if (LatencyMs < 0) throw new ArgumentException("latency-ms must not be negative.");
        foreach (var (name, rate) in new[] { ("fail-rate", FailRate), ("timeout-rate", TimeoutRate), ("malformed-rate", MalformedRate) })
        {
            if (rate is < 0 or > 1 || double.IsNaN(rate)) throw new ArgumentException($"{name} must be between 0 and 1, got {rate}.");
        }
    }
}
