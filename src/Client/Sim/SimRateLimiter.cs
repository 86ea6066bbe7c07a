namespace Dspy.Cli;

/// <summary>
/// Sliding-window request and token limits, as providers enforce them: a request is admitted only if, counting it, at
/// most <c>rpm</c> requests and <c>tpm</c> tokens were admitted in the last window. When it is not, the limiter says when
/// enough capacity frees up (the oldest admissions leaving the window), which becomes the 429's Retry-After.
/// </summary>
internal sealed class SimRateLimiter(int? rpm, long? tpm, TimeSpan window)
{
    private readonly Queue<(DateTimeOffset At, long Tokens)> _admitted = new();
    private readonly Lock _lock = new();
    private long _tokensInWindow;

    /// <summary>Admits a request of <paramref name="tokens"/> at <paramref name="now"/>, or returns how long until it could be.</summary>
    public bool TryAdmit(DateTimeOffset now, long tokens, out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            while (_admitted.Count > 0 && _admitted.Peek().At <= now - window) _tokensInWindow -= _admitted.Dequeue().Tokens;
            var entries = _admitted.ToArray();
            var freeAt = now;
            if (rpm is { } r && entries.Length + 1 > r)
            {
                // The (count - r + 1) oldest admissions must leave the window; the last of them leaves at its time + window.
                var at = entries[entries.Length - r].At + window;
                if (at > freeAt) freeAt = at;
            }
            if (tpm is { } t && _tokensInWindow + tokens > t)
            {
                if (tokens > t)
                {
                    // Larger than the whole budget: it can never fit; ask to come back after a full window.
                    freeAt = Max(freeAt, now + window);
                }
                else
                {
                    var remaining = _tokensInWindow;
                    foreach (var e in entries)
                    {
                        remaining -= e.Tokens;
                        if (remaining + tokens <= t)
                        {
                            freeAt = Max(freeAt, e.At + window);
                            break;
                        }
                    }
                }
            }
            if (freeAt > now)
            {
                retryAfter = freeAt - now;
                return false;
            }
            _admitted.Enqueue((now, tokens));
            _tokensInWindow += tokens;
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>Forgets every admission.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _admitted.Clear();
            _tokensInWindow = 0;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
