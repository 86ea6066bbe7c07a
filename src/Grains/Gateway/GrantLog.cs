namespace Dspy.Grains;

/// <summary>
/// The permits an <see cref="EndpointLimiter"/> granted over the last span (window + lease TTL + transit allowance), with
/// their requests and tokens: the exact sliding-window count a provider keeps, so the limiter can refill its bucket at
/// the full rate and still never let more than the limit reach the provider in any window.
/// </summary>
internal sealed class GrantLog
{
    private readonly Queue<(DateTimeOffset At, int Requests, double Tokens)> _entries = new();

    /// <summary>Requests granted within the span.</summary>
    public long Requests { get; private set; }

    /// <summary>Tokens granted within the span (estimates plus the corrections reported since).</summary>
    public double Tokens { get; private set; }

    /// <summary>Records a grant (or, with zero requests, a token correction).</summary>
    public void Add(DateTimeOffset at, int requests, double tokens)
    {
        if (requests == 0 && tokens == 0) return;
        _entries.Enqueue((at, requests, tokens));
        Requests += requests;
        Tokens += tokens;
    }

    /// <summary>Forgets the grants made at or before <paramref name="now"/> - <paramref name="span"/>.</summary>
    public void Trim(DateTimeOffset now, TimeSpan span)
    {
        while (_entries.Count > 0 && _entries.Peek().At <= now - span)
        {
            var (_, requests, tokens) = _entries.Dequeue();
            Requests -= requests;
            Tokens -= tokens;
        }
        if (_entries.Count == 0) Tokens = Requests = 0; // no drift from floating-point sums
    }

    /// <summary>How long until the requests within the span drop to <paramref name="allowed"/> or fewer.</summary>
    public TimeSpan UntilRequestsAtMost(double allowed, DateTimeOffset now, TimeSpan span) =>
        Until(e => e.Requests, Requests, allowed, now, span);

    /// <summary>How long until the tokens within the span drop below <paramref name="allowed"/>.</summary>
    public TimeSpan UntilTokensBelow(double allowed, DateTimeOffset now, TimeSpan span) =>
        Until(e => e.Tokens, Tokens, allowed - 1e-9, now, span);

    private TimeSpan Until(Func<(DateTimeOffset At, int Requests, double Tokens), double> amount, double total, double allowed, DateTimeOffset now, TimeSpan span)
    {
        if (total <= allowed) return TimeSpan.Zero;
        foreach (var entry in _entries)
        {
            total -= amount(entry);
            if (total <= allowed) return entry.At + span - now;
        }
        return TimeSpan.Zero;
    }
}
