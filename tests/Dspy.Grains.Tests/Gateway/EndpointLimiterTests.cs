namespace Dspy.Grains.Tests.Gateway;

public sealed class EndpointLimiterTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;

        public void Advance(TimeSpan by) => Now += by;
    }

    private static readonly EndpointLimits PerTenSeconds = new() { RequestsPerWindow = 50, Window = TimeSpan.FromSeconds(10) };

    private static PermitRequest Ask(int n = 1, int completed = 0) => new() { Silo = "s", Requests = n, Completed = completed };

    [Fact]
    public void Greedy_callers_never_get_more_than_the_limit_in_any_window_and_get_close_to_it()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(PerTenSeconds, TimeSpan.FromSeconds(1), clock);
        var grants = new List<DateTimeOffset>();
        for (var t = 0; t < 6000; t++)
        {
            // Each call settles the previous call's permits (their requests finished within the 10 ms).
            var grant = limiter.Acquire(Ask(4, completed: 4));
            for (var i = 0; i < grant.Granted; i++) grants.Add(clock.Now);
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        var span = limiter.Span;
        var maxInSpan = grants.Select((start, i) => grants.Skip(i).TakeWhile(g => g - start < span).Count()).Max();
        Assert.True(maxInSpan <= 50, $"{maxInSpan} grants within {span}");
        // 60 s of demand: at least 95% of the limit per window + allowance + the 10 ms until a request is settled.
        var sustainable = 50 * 60 / (span + TimeSpan.FromMilliseconds(10)).TotalSeconds;
        Assert.True(grants.Count >= 0.95 * sustainable, $"{grants.Count} grants in 60 s, sustainable {sustainable:F0}");
    }

    [Fact]
    public void Under_steady_demand_the_grant_log_lets_through_the_whole_limit_per_span_and_never_more()
    {
        var clock = new ManualClock();
        var perMinute = new EndpointLimits { RequestsPerWindow = 600 };
        var limiter = new EndpointLimiter(perMinute, TimeSpan.FromMilliseconds(250), clock);
        var grants = new List<DateTimeOffset>();
        for (var t = 0; t < 18_000; t++)
        {
            var grant = limiter.Acquire(Ask(4, completed: 4));
            for (var i = 0; i < grant.Granted; i++) grants.Add(clock.Now);
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        var span = limiter.Span;
        var maxInSpan = 0;
        for (int i = 0, j = 0; i < grants.Count; i++)
        {
            while (j < grants.Count && grants[j] - grants[i] < span) j++;
            maxInSpan = Math.Max(maxInSpan, j - i);
        }
        Assert.True(maxInSpan <= 600, $"{maxInSpan} grants within {span}");
        // 180 s: the full limit per window + allowance (a bucket alone, refilling at (600 - 12) per 61 s to be window-safe
        // against the arrivals it cannot see, gave 1,747).
        var sustainable = 600 * 180 / span.TotalSeconds;
        Assert.True(grants.Count >= 0.99 * sustainable, $"{grants.Count} grants in 180 s, sustainable {sustainable:F0}");
    }

    [Fact]
    public void A_refusal_for_a_full_window_says_when_the_oldest_grant_leaves_it()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(new EndpointLimits { RequestsPerWindow = 5, Window = TimeSpan.FromSeconds(10) }, TimeSpan.Zero, clock);
        var granted = 0;
        for (var t = 0; t < 2000 && granted < 5; t++)
        {
            granted += limiter.Acquire(Ask(5, completed: 5)).Granted;
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        Assert.Equal(5, granted);
        var refused = limiter.Acquire(Ask());
        Assert.Equal(0, refused.Granted);
        clock.Advance(refused.RetryAfter - TimeSpan.FromMilliseconds(5));
        Assert.Equal(0, limiter.Acquire(Ask()).Granted);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, limiter.Acquire(Ask()).Granted);
    }

    [Fact]
    public void A_permit_held_up_on_its_silo_counts_until_it_is_settled_and_a_window_after()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(new EndpointLimits { RequestsPerWindow = 1, Window = TimeSpan.FromSeconds(10) }, TimeSpan.Zero, clock);
        Assert.Equal(1, limiter.Acquire(new PermitRequest { Silo = "slow", Requests = 1 }).Granted);
        // Its grant is older than window + TTL + transit, but "slow" has not settled it: the request may reach the
        // provider only now, so it still counts (a bucket alone would have refilled long ago).
        clock.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(0, limiter.Acquire(new PermitRequest { Silo = "fast", Requests = 1 }).Granted);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, limiter.Acquire(new PermitRequest { Silo = "fast", Requests = 1 }).Granted);

        // Settled now: it counts one more window (it may just have arrived), then leaves.
        var refused = limiter.Acquire(new PermitRequest { Silo = "slow", Requests = 1, Completed = 1 });
        Assert.Equal(0, refused.Granted);
        Assert.True(refused.RetryAfter > TimeSpan.FromSeconds(9), $"retry after {refused.RetryAfter}");
        Assert.Equal(42, limiter.Stats.MeanSettleSeconds, 3);
        clock.Advance(refused.RetryAfter);
        Assert.Equal(1, limiter.Acquire(new PermitRequest { Silo = "fast", Requests = 1 }).Granted);
    }

    [Fact]
    public void Permits_a_silo_never_settles_stop_counting_after_the_unsettled_limit()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(new EndpointLimits { RequestsPerWindow = 1, Window = TimeSpan.FromSeconds(10) }, TimeSpan.Zero, clock);
        Assert.Equal(1, limiter.Acquire(new PermitRequest { Silo = "dead", Requests = 1 }).Granted);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, limiter.Acquire(Ask()).Granted);
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(11));
        Assert.Equal(1, limiter.Acquire(Ask()).Granted);
    }

    [Fact]
    public void Expired_leases_are_counted_and_free_their_in_flight_slots()
    {
        var limiter = new EndpointLimiter(new EndpointLimits { MaxInFlight = 2 }, TimeSpan.FromSeconds(1), new ManualClock());
        Assert.Equal(2, limiter.Acquire(Ask(2)).Granted);
        Assert.Equal(2, limiter.Acquire(new PermitRequest { Silo = "s", Requests = 2, Unused = 2 }).Granted);
        Assert.Equal(2, limiter.Stats.Unused);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.Acquire(new PermitRequest { Silo = "s", Completed = -1 }));
    }

    [Fact]
    public void A_refusal_says_when_a_permit_frees_up()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(PerTenSeconds, TimeSpan.FromSeconds(1), clock);
        Assert.Equal(1, limiter.Acquire(Ask(10)).Granted);
        var refused = limiter.Acquire(Ask());
        Assert.Equal(0, refused.Granted);
        clock.Advance(refused.RetryAfter);
        Assert.Equal(1, limiter.Acquire(Ask()).Granted);
    }

    [Fact]
    public void A_429_halves_the_limit_once_per_burst_and_blocks_until_its_retry_after()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(PerTenSeconds, TimeSpan.FromSeconds(1), clock);
        limiter.Report(new EndpointOutcome { RateLimited = true, RetryAfter = TimeSpan.FromSeconds(3) });
        limiter.Report(new EndpointOutcome { RateLimited = true, RetryAfter = TimeSpan.FromSeconds(2) });
        Assert.Equal(0.5, limiter.Stats.LimitFactor);
        Assert.Equal(2, limiter.Stats.RateLimited);

        var blocked = limiter.Acquire(Ask());
        Assert.Equal(0, blocked.Granted);
        Assert.Equal(TimeSpan.FromSeconds(3), blocked.RetryAfter);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(limiter.Acquire(Ask()).Granted > 0);

        clock.Advance(TimeSpan.FromSeconds(2));
        limiter.Report(new EndpointOutcome { RateLimited = true });
        Assert.Equal(0.25, limiter.Stats.LimitFactor);
    }

    [Fact]
    public void Server_errors_and_timeouts_never_shrink_the_limit()
    {
        var limiter = new EndpointLimiter(PerTenSeconds, TimeSpan.FromSeconds(1), new ManualClock());
        for (var i = 0; i < 10; i++) limiter.Report(new EndpointOutcome { Failed = true });
        Assert.Equal(1.0, limiter.Stats.LimitFactor);
        Assert.Equal(10, limiter.Stats.Failures);
        Assert.Equal(1, limiter.Acquire(Ask(10)).Granted);
    }

    [Fact]
    public void The_limit_grows_back_only_while_callers_are_refused_for_lack_of_permits()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(PerTenSeconds, TimeSpan.FromSeconds(1), clock);
        limiter.Report(new EndpointOutcome { RateLimited = true, RetryAfter = TimeSpan.FromSeconds(1) });

        // Light demand for a minute: never refused, so no growth.
        for (var t = 0; t < 60; t++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(1, limiter.Acquire(Ask(completed: 1)).Granted);
        }
        Assert.Equal(0.5, limiter.Stats.LimitFactor);

        // Saturating demand: it grows back to the configured limit, not beyond.
        for (var t = 0; t < 6000; t++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            limiter.Acquire(Ask(4, completed: 4));
        }
        Assert.Equal(1.0, limiter.Stats.LimitFactor);
    }

    [Fact]
    public void In_flight_permits_stop_at_the_limit_until_callers_settle_them()
    {
        var clock = new ManualClock();
        var limiter = new EndpointLimiter(new EndpointLimits { MaxInFlight = 3 }, TimeSpan.FromSeconds(1), clock);
        Assert.Equal(3, limiter.Acquire(Ask(5)).Granted);
        Assert.Equal(0, limiter.Acquire(Ask()).Granted);
        Assert.Equal(2, limiter.Acquire(Ask(2, completed: 2)).Granted);
        Assert.Equal(3, limiter.Stats.InFlight);
        Assert.Throws<ArgumentException>(() => new EndpointLimiter(new EndpointLimits { RequestsPerWindow = 0 }, TimeSpan.Zero));
    }
}
