namespace Dspy.Grains.Tests.Budget;

/// <summary>The run budget grain: one limit for all silos, never crossed under concurrent reservations, persisted.</summary>
[Collection(BudgetClusterCollection.Name)]
public sealed class RunBudgetGrainTests(BudgetClusterFixture fixture)
{
    private static RunBudgetRequest Request(RunBudgetLimits limits, long tokens = 100, double cost = 0) =>
        new() { Limits = limits, Model = "sim", Tokens = tokens, Cost = cost, Holder = "test" };

    [Fact]
    public async Task Concurrent_reservations_from_every_silo_never_cross_the_call_limit()
    {
        var limits = new RunBudgetLimits { MaxCalls = 10 };
        // Each silo reserves through its own ledger, as the shards do.
        var ledgers = fixture.SiloGrainFactories().Select(g => new ClusterLMBudgetLedger(g, "budget-calls", limits, "silo")).ToList();
        Assert.Equal(3, ledgers.Count);
        var grants = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => ledgers[i % 3].ReserveAsync(new LMBudgetCharge("sim", 50, 0)).AsTask()));

        Assert.Equal(10, grants.Count(g => g.Granted));
        Assert.All(grants.Where(g => !g.Granted), g => Assert.Equal("calls", g.RefusedLimit));
        Assert.Equal(10, grants.Where(g => g.Granted).Select(g => g.ReservationId).Distinct().Count());
        var grain = fixture.Grains.GetGrain<IRunBudgetGrain>("budget-calls");
        var open = await grain.GetAsync();
        Assert.Equal((10L, 0L, 50L), (open.ReservedCalls, open.Calls, open.Refusals));

        // Settling releases the reservations and charges what the calls used; nothing more is granted.
        await Task.WhenAll(grants.Where(g => g.Granted).Select((g, i) =>
            ledgers[i % 3].SettleAsync(g.ReservationId!, new LMBudgetCharge("sim", 50, 0), new LMBudgetSettlement(30, 5, null)).AsTask()));
        var settled = await grain.GetAsync();
        Assert.Equal((0L, 10L, 300L, 50L), (settled.ReservedCalls, settled.Calls, settled.PromptTokens, settled.CompletionTokens));
        Assert.Null((await grain.ReserveAsync(Request(limits))).ReservationId);
        Assert.True(settled.Exhausted);
    }

    [Fact]
    public async Task Concurrent_reservations_never_cross_the_token_or_cost_limit()
    {
        var tokens = fixture.Grains.GetGrain<IRunBudgetGrain>("budget-tokens");
        var limits = new RunBudgetLimits { MaxTokens = 1000 };
        var grants = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => tokens.ReserveAsync(Request(limits, tokens: 120))));
        Assert.Equal(8, grants.Count(g => g.ReservationId is not null));
        Assert.All(grants.Where(g => g.ReservationId is null), g => Assert.Equal("tokens", g.RefusedLimit));

        var cost = fixture.Grains.GetGrain<IRunBudgetGrain>("budget-cost");
        var costLimits = new RunBudgetLimits { MaxCost = 0.01 };
        var costGrants = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => cost.ReserveAsync(Request(costLimits, cost: 0.003))));
        Assert.Equal(3, costGrants.Count(g => g.ReservationId is not null));
        Assert.InRange((await cost.GetAsync()).ReservedCost, 0.0089, 0.0091);
    }

    [Fact]
    public async Task Used_counts_and_open_reservations_survive_deactivation()
    {
        var limits = new RunBudgetLimits { MaxCalls = 5 };
        var grain = fixture.Grains.GetGrain<IRunBudgetGrain>("budget-persist");
        var first = await grain.ReserveAsync(Request(limits));
        var second = await grain.ReserveAsync(Request(limits));
        await grain.SettleAsync(first.ReservationId!, new RunBudgetUsage { PromptTokens = 40, CompletionTokens = 7, Cost = 0.5 });

        await fixture.Cluster.DeactivateAsync(grain);

        var after = await grain.GetAsync();
        Assert.Equal((1L, 40L, 7L, 0.5, 1L, 100L), (after.Calls, after.PromptTokens, after.CompletionTokens, after.Cost, after.ReservedCalls, after.ReservedTokens));
        Assert.Equal(5, after.Limits!.MaxCalls);
        // The reservation held across the deactivation is settled normally, and a settled one cannot be settled twice.
        await grain.SettleAsync(second.ReservationId!, new RunBudgetUsage { PromptTokens = 10 });
        var twice = await grain.SettleAsync(first.ReservationId!, new RunBudgetUsage { PromptTokens = 999 });
        Assert.Equal((2L, 50L, 0L), (twice.Calls, twice.PromptTokens, twice.ReservedCalls));
        // A third reservation gets a fresh id: ids are not reused after reactivation.
        var third = await grain.ReserveAsync(Request(limits));
        Assert.NotEqual(first.ReservationId, third.ReservationId);
        Assert.NotEqual(second.ReservationId, third.ReservationId);
    }

    [Fact]
    public async Task A_reservation_whose_holder_never_settles_is_charged_at_its_bound_when_its_lease_runs_out()
    {
        var limits = new RunBudgetLimits { MaxCalls = 3 };
        var grain = fixture.Grains.GetGrain<IRunBudgetGrain>("budget-lease");
        // A one-tick lease has run out by the grain's next call.
        var lost = await grain.ReserveAsync(Request(limits, tokens: 77, cost: 0.25) with { Lease = TimeSpan.FromTicks(1) });
        var after = await grain.GetAsync();
        Assert.Equal((1L, 77L, 0.25, 1L, 0L), (after.Calls, after.PromptTokens, after.Cost, after.Expired, after.ReservedCalls));
        // The late settlement changes nothing: the call was already charged.
        var late = await grain.SettleAsync(lost.ReservationId!, new RunBudgetUsage { PromptTokens = 5 });
        Assert.Equal((1L, 77L), (late.Calls, late.PromptTokens));
    }

    [Fact]
    public async Task The_first_limits_stay_and_bad_requests_are_refused()
    {
        var grain = fixture.Grains.GetGrain<IRunBudgetGrain>("budget-limits");
        await grain.ReserveAsync(Request(new RunBudgetLimits { MaxCalls = 1 }));
        var refused = await grain.ReserveAsync(Request(new RunBudgetLimits { MaxCalls = 100 }));
        Assert.Equal("calls", refused.RefusedLimit);
        Assert.Equal(1, refused.Snapshot.Limits!.MaxCalls);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ReserveAsync(Request(new RunBudgetLimits { MaxCalls = 1 }, tokens: -1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ReserveAsync(Request(new RunBudgetLimits { MaxCalls = -1 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompileRunConfig
        {
            Program = new ProgramSpec("predict", "question -> answer"), DatasetId = "d", TrainIds = ["a"], MetricName = "exact_match",
            Optimizer = "bootstrap-fewshot", Budget = new RunBudgetLimits { MaxTokens = -5 },
        }.Validate());
    }

    [Fact]
    public async Task Every_call_is_counted_in_its_phase_charged_or_not_and_the_counts_survive_deactivation()
    {
        var limits = new RunBudgetLimits { MaxCalls = 10 };
        var grain = fixture.Grains.GetGrain<IRunBudgetGrain>("budget-phases");
        // Charged: reservations of the compile phase (one of them for n = 3 generations, one that is never settled).
        var one = await grain.ReserveAsync(Request(limits));
        var three = await grain.ReserveAsync(Request(limits) with { Calls = 3 });
        await grain.ReserveAsync(Request(limits, tokens: 60) with { Lease = TimeSpan.FromTicks(1) });
        await grain.SettleAsync(one.ReservationId!, new RunBudgetUsage { PromptTokens = 10, CompletionTokens = 2 });
        await grain.SettleAsync(three.ReservationId!, new RunBudgetUsage { PromptTokens = 30, CompletionTokens = 6, Cost = 0.5 });
        // Not charged: the baseline and final evaluations, recorded after their responses.
        await grain.RecordAsync(RunPhases.Baseline, 1, new RunBudgetUsage { PromptTokens = 5, CompletionTokens = 1 });
        await grain.RecordAsync(RunPhases.Baseline, 2, new RunBudgetUsage { PromptTokens = 7, CompletionTokens = 3 });
        await grain.RecordAsync(RunPhases.Final, 1, new RunBudgetUsage());

        await fixture.Cluster.DeactivateAsync(grain);

        var usage = await grain.GetUsageAsync();
        Assert.Equal(new RunPhaseUsage { Calls = 3, PromptTokens = 12, CompletionTokens = 4 }, usage[RunPhases.Baseline]);
        // 1 + 3 settled, and the lapsed reservation charged at its bound (60 tokens), as the budget charges it.
        Assert.Equal(new RunPhaseUsage { Calls = 5, PromptTokens = 100, CompletionTokens = 8, Cost = 0.5 }, usage[RunPhases.Compile]);
        Assert.Equal(new RunPhaseUsage { Calls = 1 }, usage[RunPhases.Final]);
        // Only the compile phase's reservations were charged to the limits.
        var budget = await grain.GetAsync();
        Assert.Equal((5L, 100L), (budget.Calls, budget.PromptTokens));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.RecordAsync("warm-up", 1, new RunBudgetUsage()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.RecordAsync(RunPhases.Final, 0, new RunBudgetUsage()));
    }
}
