namespace Dspy.Grains;

/// <summary>
/// The permit broker's arithmetic for one endpoint (no Orleans in it, so it is tested on a fake clock): non-waiting
/// token buckets for requests and tokens plus an in-flight count; a refused request gets the time until it could pass.
/// </summary>
/// <remarks>
/// <para>Window-safe grants: providers count requests in a sliding window when they arrive. A request arrives after its
/// grant and before its caller saw the response, so a log of the grants (<see cref="GrantLog"/>) counts each one until a
/// window (plus a small transit allowance) after its caller settled it, and the limiter never grants past the limit E
/// while they count: the provider never sees more than E in its window, even when a silo holds a request up for
/// seconds. The buckets (capacity C, 2% of E, refilling at 1.25 E per window) only smooth bursts. The steady rate is E per
/// window + the grant-to-response time + the allowance (99% of a per-minute limit with 0.5 s responses), where buckets
/// alone had to assume a bound on when a request arrives (window-safe only at (E - C) per window + lease TTL + transit,
/// and broken by any request arriving later).</para>
/// <para>Adaptive limit: a reported 429 halves the share of the configured limits (at most once a second, so one
/// burst of 429s counts once) and blocks every grant until the provider's Retry-After; the share grows back
/// additively only while callers are refused for lack of permits (saturated) and no 429 came for a window.
/// 5xx and timeouts never shrink it: they say nothing about the rate.</para>
/// </remarks>
public sealed class EndpointLimiter
{
    private const double MinFactor = 0.05;
    // When only permits still in flight fill the window, they leave it once settled: ask again shortly.
    private static readonly TimeSpan SettleWait = TimeSpan.FromMilliseconds(50);
    private readonly TimeProvider _time;
    private EndpointLimits _limits;
    private double _factor = 1;
    private double _requestLevel, _tokenLevel;
    private DateTimeOffset _lastRefill;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _lastDecrease = DateTimeOffset.MinValue;
    private DateTimeOffset _lastIncrease = DateTimeOffset.MinValue;
    private readonly GrantLog _log;
    private int _inFlight;
    private long _granted, _refused, _rateLimited, _failures, _unused;
    private double _tokens;

    /// <summary>Creates the limiter with full buckets.</summary>
    public EndpointLimiter(EndpointLimits limits, TimeSpan leaseTtl, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(leaseTtl, TimeSpan.Zero);
        _limits = limits;
        LeaseTtl = leaseTtl;
        _log = new GrantLog(limits.Window, TransitAllowance);
        _time = time ?? TimeProvider.System;
        _lastRefill = _time.GetUtcNow();
        _requestLevel = Capacity(_limits.RequestsPerWindow);
        _tokenLevel = Capacity(_limits.TokensPerWindow);
    }

    /// <summary>
    /// Added to a request's settlement before its window starts: a request its caller abandoned (timeout, cancellation)
    /// may still be on the wire.
    /// </summary>
    public static readonly TimeSpan TransitAllowance = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a granted permit may wait on its silo before it is used.</summary>
    public TimeSpan LeaseTtl { get; }

    /// <summary>The configured limits.</summary>
    public EndpointLimits Limits => _limits;

    /// <summary>The least time a grant counts: window + transit allowance (more while its request is unsettled).</summary>
    public TimeSpan Span => _limits.Window + TransitAllowance;

    /// <summary>Replaces the limits (buckets keep their levels, capped to the new capacities).</summary>
    public void Reconfigure(EndpointLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        Refill(_time.GetUtcNow());
        _limits = limits;
        _log.Window = limits.Window;
        _requestLevel = Math.Min(_requestLevel, Capacity(limits.RequestsPerWindow));
        _tokenLevel = Math.Min(_tokenLevel, Capacity(limits.TokensPerWindow));
    }

    /// <summary>Settles the caller's finished and unused permits, then grants what the buckets allow.</summary>
    public PermitGrant Acquire(PermitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Requests < 1) throw new ArgumentOutOfRangeException(nameof(request), "A permit request must ask for at least one permit.");
        var now = _time.GetUtcNow();
        if (request.Completed < 0 || request.Unused < 0) throw new ArgumentOutOfRangeException(nameof(request), "Completed and Unused must not be negative.");
        _inFlight = Math.Max(0, _inFlight - request.Completed - request.Unused);
        _unused += request.Unused;
        _tokenLevel -= request.TokenCorrection;
        _tokens += request.TokenCorrection;
        Refill(now);
        // The age is measured on the silo before the call was sent, so now - age is no earlier than the completion.
        var completedAt = now - Clamp(request.CompletedAgo, TimeSpan.Zero, _limits.Window);
        _log.Settle(request.Silo, completedAt, request.Completed + request.Unused);
        _log.Correct(now, request.TokenCorrection);
        _log.Trim(now);

        if (now < _blockedUntil) return Refuse(_blockedUntil - now);
        var k = request.Requests;
        var saturated = false;
        if (_limits.RequestsPerWindow is { } rpw)
        {
            var byRate = (int)Math.Min(Math.Floor(_requestLevel + 1e-9), Math.Floor(Effective(rpw) - _log.Requests + 1e-9));
            if (byRate < k) saturated = true;
            k = Math.Min(k, byRate);
        }
        if (_limits.TokensPerWindow is { } tpw && request.TokensPerRequest > 0)
        {
            // The last request may overdraw (its tokens are only an estimate); the debt delays the next.
            var room = Math.Min(_tokenLevel, Effective(tpw) - _log.Tokens);
            var byTokens = room <= 0 ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(room / request.TokensPerRequest));
            if (byTokens < k) saturated = true;
            k = Math.Min(k, byTokens);
        }
        if (_limits.MaxInFlight is { } max) k = Math.Min(k, Math.Max(0, max - _inFlight));
        if (saturated) Grow(now);
        if (k <= 0) return Refuse(RetryAfter(request.TokensPerRequest, now));

        _requestLevel -= k;
        _tokenLevel -= (double)k * request.TokensPerRequest;
        _log.Grant(request.Silo, now, k, request.TokensPerRequest);
        _tokens += (double)k * request.TokensPerRequest;
        _inFlight += k;
        _granted += k;
        return new PermitGrant { Granted = k, LeaseTtl = LeaseTtl };
    }

    /// <summary>Takes in a caller's 429 or failure.</summary>
    public void Report(EndpointOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var now = _time.GetUtcNow();
        if (outcome.Failed) _failures++;
        if (!outcome.RateLimited) return;
        _rateLimited++;
        var wait = outcome.RetryAfter ?? TimeSpan.FromSeconds(1);
        if (now + wait > _blockedUntil) _blockedUntil = now + wait;
        if (now - _lastDecrease < TimeSpan.FromSeconds(1)) return;
        Refill(now);
        _factor = Math.Max(MinFactor, _factor / 2);
        _lastDecrease = now;
        _requestLevel = Math.Min(_requestLevel, 0);
    }

    /// <summary>The counters.</summary>
    public GatewayStats Stats => new()
    {
        Granted = _granted, Refused = _refused, RateLimited = _rateLimited, Failures = _failures, LimitFactor = _factor, InFlight = _inFlight,
        Unused = _unused, Tokens = (long)Math.Round(_tokens),
        MeanSettleSeconds = _log.Held.Count == 0 ? 0 : _log.Held.Seconds / _log.Held.Count,
    };

    private PermitGrant Refuse(TimeSpan retryAfter)
    {
        _refused++;
        return new PermitGrant { Granted = 0, RetryAfter = retryAfter < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : retryAfter };
    }

    private void Grow(DateTimeOffset now)
    {
        if (_factor >= 1 || now - _lastDecrease < _limits.Window || now - _lastIncrease < _limits.Window / 10) return;
        _factor = Math.Min(1, _factor + 0.1);
        _lastIncrease = now;
    }

    private TimeSpan RetryAfter(long tokensPerRequest, DateTimeOffset now)
    {
        var wait = TimeSpan.Zero;
        if (_limits.RequestsPerWindow is { } r)
        {
            if (_requestLevel + 1e-9 < 1) wait = Max(wait, Seconds((1 - _requestLevel) / Rate(r)));
            wait = Max(wait, Ceiling(_log.UntilRequestsAtMost(Math.Floor(Effective(r) + 1e-9) - 1, now) ?? SettleWait));
        }
        if (_limits.TokensPerWindow is { } t && tokensPerRequest > 0)
        {
            if (_tokenLevel <= 0) wait = Max(wait, Seconds((1 - _tokenLevel) / Rate(t)));
            wait = Max(wait, Ceiling(_log.UntilTokensBelow(Effective(t), now) ?? SettleWait));
        }
        // In-flight slots free when callers settle; ask again shortly.
        return wait == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : wait;
    }

    private void Refill(DateTimeOffset now)
    {
        var elapsed = (now - _lastRefill).TotalSeconds;
        if (elapsed <= 0) return;
        _lastRefill = now;
        if (_limits.RequestsPerWindow is { } r) _requestLevel = Math.Min(Capacity(r), _requestLevel + (elapsed * Rate(r)));
        if (_limits.TokensPerWindow is { } t) _tokenLevel = Math.Min(Capacity(t), _tokenLevel + (elapsed * Rate(t)));
    }

    private double Effective(double limit) => Math.Max(1, limit * _factor);

    private double Capacity(double? limit) => limit is { } l ? Math.Max(1, Math.Floor(Effective(l) * 0.02)) : 0;

    // Per second: a quarter above the effective limit per window, so permits lost while the bucket was full (callers
    // slow to ask: a loaded silo, a GC pause) are made up later instead of lost for good; the grant log, not the bucket,
    // keeps the window safe.
    private double Rate(double limit) => 1.25 * Effective(limit) / _limits.Window.TotalSeconds;

    // The log's times are exact; rounded up to the millisecond (and one more) so the entry has left when the caller is back.
    private static TimeSpan Ceiling(TimeSpan t) => t <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(t.TotalMilliseconds) + 1);

    // Rounded up to the millisecond, so waiting exactly this long always finds the permit there.
    private static TimeSpan Seconds(double s) => TimeSpan.FromMilliseconds(Math.Ceiling(Math.Min(s, 3600) * 1000));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Clamp(TimeSpan t, TimeSpan min, TimeSpan max) => t < min ? min : t > max ? max : t;
}
