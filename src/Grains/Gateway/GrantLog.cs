namespace Dspy.Grains;

/// <summary>
/// The permits an <see cref="EndpointLimiter"/> granted that may still be inside a provider's sliding window, with their
/// requests and tokens: the exact count a provider keeps, so the limiter can refill its bucket at the full rate and still
/// never let more than the limit reach the provider in any window.
/// </summary>
/// <remarks>
/// A request reaches the provider somewhere between its grant and the moment its caller settles it (a response cannot
/// come before the request arrived), so a granted permit counts until its caller settles it, and from then on for one
/// window plus a transit allowance (a request its caller abandoned may still be on the wire). A request held up on its silo
/// (a cold start compiling the HTTP stack, a starved thread pool) therefore keeps counting until it is done instead of
/// arriving unaccounted after the window it was granted in. Callers settle in batches with their next lease, oldest
/// grant first; permits a silo never settles (it died) count until <see cref="UnsettledLimit"/> has passed.
/// </remarks>
internal sealed class GrantLog(TimeSpan window, TimeSpan allowance)
{
    /// <summary>How long an unsettled grant counts at most (a silo that died never settles its permits).</summary>
    public static readonly TimeSpan UnsettledLimit = TimeSpan.FromMinutes(5);

    private sealed class Pending(DateTimeOffset at, int requests, double tokensPerRequest)
    {
        public DateTimeOffset At { get; } = at;
        public int Requests { get; set; } = requests;
        public double TokensPerRequest { get; } = tokensPerRequest;
    }

    private readonly Dictionary<string, Queue<Pending>> _unsettled = new(StringComparer.Ordinal);
    // Settled grants in the order they leave the window (nearly always appended at the end).
    private readonly List<(DateTimeOffset Leaves, int Requests, double Tokens)> _settled = [];
    private int _head;
    private long _heldCount;
    private double _heldSeconds;

    /// <summary>Requests that may be in the provider's window now.</summary>
    public long Requests { get; private set; }

    /// <summary>Tokens that may be in the provider's window now (estimates plus the corrections reported since).</summary>
    public double Tokens { get; private set; }

    /// <summary>Requests settled so far and their total seconds from grant to settlement (how long a grant counts beyond its window).</summary>
    public (long Count, double Seconds) Held => (_heldCount, _heldSeconds);

    /// <summary>The window (when the limits change).</summary>
    public TimeSpan Window { get; set; } = window;

    /// <summary>Records a grant to <paramref name="silo"/>.</summary>
    public void Grant(string silo, DateTimeOffset now, int requests, double tokensPerRequest)
    {
        if (!_unsettled.TryGetValue(silo, out var queue)) _unsettled[silo] = queue = new Queue<Pending>();
        queue.Enqueue(new Pending(now, requests, tokensPerRequest));
        Requests += requests;
        Tokens += requests * tokensPerRequest;
    }

    /// <summary>Settles the <paramref name="requests"/> oldest unsettled permits of <paramref name="silo"/> (finished by <paramref name="completedAt"/>, or expired).</summary>
    public void Settle(string silo, DateTimeOffset completedAt, int requests)
    {
        if (requests <= 0 || !_unsettled.TryGetValue(silo, out var queue)) return;
        while (requests > 0 && queue.Count > 0)
        {
            var p = queue.Peek();
            var n = Math.Min(requests, p.Requests);
            Leave(Max(p.At, completedAt) + allowance + Window, n, n * p.TokensPerRequest);
            _heldCount += n;
            _heldSeconds += n * Math.Max(0, (completedAt - p.At).TotalSeconds);
            p.Requests -= n;
            requests -= n;
            if (p.Requests == 0) queue.Dequeue();
        }
        if (queue.Count == 0) _unsettled.Remove(silo);
    }

    /// <summary>Adds actual-minus-estimated tokens of finished requests; they count for a window from now.</summary>
    public void Correct(DateTimeOffset now, double tokens)
    {
        if (tokens == 0) return;
        Tokens += tokens;
        Leave(now + Window, 0, tokens);
    }

    /// <summary>Forgets what left the window by <paramref name="now"/>; settles grants unsettled for too long.</summary>
    public void Trim(DateTimeOffset now)
    {
        foreach (var (silo, queue) in _unsettled.ToList())
        {
            while (queue.Count > 0 && queue.Peek().At <= now - UnsettledLimit)
            {
                var p = queue.Dequeue();
                Leave(p.At + UnsettledLimit + Window, p.Requests, p.Requests * p.TokensPerRequest);
            }
            if (queue.Count == 0) _unsettled.Remove(silo);
        }
        while (_head < _settled.Count && _settled[_head].Leaves <= now)
        {
            Requests -= _settled[_head].Requests;
            Tokens -= _settled[_head].Tokens;
            _head++;
        }
        if (_head > 64 && _head * 2 > _settled.Count)
        {
            _settled.RemoveRange(0, _head);
            _head = 0;
        }
        if (_head == _settled.Count && _unsettled.Count == 0) Tokens = Requests = 0; // no drift from floating-point sums
    }

    /// <summary>How long until the requests in the window drop to <paramref name="allowed"/>, or null if only settlements can free them.</summary>
    public TimeSpan? UntilRequestsAtMost(double allowed, DateTimeOffset now) => Until(e => e.Requests, Requests, allowed, now);

    /// <summary>How long until the tokens in the window drop below <paramref name="allowed"/>, or null if only settlements can free them.</summary>
    public TimeSpan? UntilTokensBelow(double allowed, DateTimeOffset now) => Until(e => e.Tokens, Tokens, allowed - 1e-9, now);

    private TimeSpan? Until(Func<(DateTimeOffset Leaves, int Requests, double Tokens), double> amount, double total, double allowed, DateTimeOffset now)
    {
        if (total <= allowed) return TimeSpan.Zero;
        for (var i = _head; i < _settled.Count; i++)
        {
            total -= amount(_settled[i]);
            if (total <= allowed) return _settled[i].Leaves - now;
        }
        return null;
    }

    // Inserted in leaving order; totals already include it (a settlement moves a grant, a correction added it).
    private void Leave(DateTimeOffset leaves, int requests, double tokens)
    {
        var i = _settled.Count;
        while (i > _head && _settled[i - 1].Leaves > leaves) i--;
        _settled.Insert(i, (leaves, requests, tokens));
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
