namespace Dspy.Tests.Optimizers.Runs;

/// <summary>
/// The ledger seam of <see cref="LMBudget"/>: the bounds are computed by the budget, the counts live in the ledger, so
/// several budgets over one shared ledger (the silos of a cluster run) hold one limit together.
/// </summary>
public sealed class LMBudgetLedgerTests
{
    /// <summary>
    /// A view of a ledger shared with other processes, as a remote one behaves: every operation completes asynchronously,
    /// and <see cref="State"/> is only what this view last heard back.
    /// </summary>
    private sealed class RemoteView(InMemoryLMBudgetLedger shared) : ILMBudgetLedger
    {
        private LMBudgetState _seen = LMBudgetState.Empty;

        public List<LMBudgetCharge> Charges { get; } = [];

        public List<(LMBudgetCharge Reserved, LMBudgetSettlement Used)> Settlements { get; } = [];

        public BudgetLimits Limits => shared.Limits;

        public LMBudgetState State => Volatile.Read(ref _seen);

        public async ValueTask<LMBudgetGrant> ReserveAsync(LMBudgetCharge charge, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            lock (Charges) Charges.Add(charge);
            var grant = await shared.ReserveAsync(charge, cancellationToken);
            Volatile.Write(ref _seen, grant.State);
            return grant;
        }

        public async ValueTask SettleAsync(string reservationId, LMBudgetCharge reserved, LMBudgetSettlement used, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            lock (Settlements) Settlements.Add((reserved, used));
            await shared.SettleAsync(reservationId, reserved, used, cancellationToken);
            Volatile.Write(ref _seen, shared.State);
        }

        public async ValueTask<LMBudgetState> RefreshAsync(CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Volatile.Write(ref _seen, shared.State);
            return _seen;
        }
    }

    private static LM SimLm(CountingChatClient client) => new("sim", client, maxTokens: 64, cache: false, numRetries: 0);

    private static async Task<int> CallManyAsync(LMBudget budget, LM lm, int count, string tag)
    {
        using var _ = budget.Install();
        var ok = 0;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            try
            {
                await lm.CallAsync($"{tag} {i}: what is {i} times 3?");
                Interlocked.Increment(ref ok);
            }
            catch (BudgetExceededException)
            {
            }
        })));
        return ok;
    }

    [Fact]
    public async Task Budgets_over_one_shared_ledger_hold_one_limit_together()
    {
        var shared = new InMemoryLMBudgetLedger(new BudgetLimits { MaxCalls = 9 });
        var a = new LMBudget(new RemoteView(shared));
        var b = new LMBudget(new RemoteView(shared));
        var clientA = new CountingChatClient();
        var clientB = new CountingChatClient();

        var oks = await Task.WhenAll(CallManyAsync(a, SimLm(clientA), 20, "a"), CallManyAsync(b, SimLm(clientB), 20, "b"));

        Assert.Equal(9, oks.Sum());
        Assert.Equal(9, clientA.Requests + clientB.Requests);
        Assert.Equal(9, shared.State.Used.LmCalls);
        Assert.Equal(31, shared.State.Refusals);
        Assert.Equal(0, shared.State.ReservedCalls);
        await a.RefreshAsync();
        Assert.Equal(9, a.Used.LmCalls);
        Assert.True(a.IsExhausted);
    }

    [Fact]
    public async Task The_budget_computes_the_bound_and_the_ledger_is_settled_with_the_reported_usage()
    {
        var view = new RemoteView(new InMemoryLMBudgetLedger());
        var client = new CountingChatClient();
        await CallManyAsync(new LMBudget(view), SimLm(client), 5, "q");

        Assert.Equal(5, view.Charges.Count);
        Assert.Equal(5, view.Settlements.Count);
        foreach (var (reserved, used) in view.Settlements)
        {
            Assert.True(used.PromptTokens > 0 && used.PromptTokens + used.CompletionTokens <= reserved.Tokens, $"{used} within {reserved}");
            Assert.True(used.Cost <= reserved.Cost, $"{used.Cost} within {reserved.Cost}");
        }
        Assert.Equal(client.Tokens, view.State.Used.PromptTokens + view.State.Used.CompletionTokens);
        Assert.Equal(0, view.State.ReservedTokens);
    }

    [Fact]
    public async Task A_trial_is_incomplete_when_another_participant_of_the_shared_budget_was_refused_meanwhile()
    {
        var shared = new InMemoryLMBudgetLedger(new BudgetLimits { MaxCalls = 1 });
        var optimizer = new LMBudget(new RemoteView(shared));
        var shard = new LMBudget(new RemoteView(shared));
        var client = new CountingChatClient();
        using var _ = optimizer.Install();

        var trial = await BudgetStop.RunTrialAsync(async ct =>
        {
            // The optimizer's own view hears nothing of this: the calls run under the other participant's budget.
            using (shard.Install())
            {
                await SimLm(client).CallAsync("first question", cancellationToken: ct);
                await Assert.ThrowsAsync<BudgetExceededException>(() => SimLm(client).CallAsync("second question", cancellationToken: ct));
            }
            return 42;
        });

        Assert.False(trial.Completed);
        Assert.True(BudgetStop.IsExhausted);
        Assert.Equal(1, client.Requests);
    }

    [Fact]
    public void The_rules_check_calls_then_tokens_then_cost_and_settling_releases_the_reservation()
    {
        var limits = new BudgetLimits { MaxCalls = 2, MaxTokens = 100, MaxCost = 1.0 };
        var charge = new LMBudgetCharge("sim", 60, 0.4);
        var state = LMBudgetState.Empty.WithReservation(charge);
        Assert.Equal("tokens", state.WouldCross(limits, charge));
        Assert.Null(state.WouldCross(limits, charge with { Tokens = 40 }));
        Assert.Equal("cost", state.WouldCross(limits, charge with { Tokens = 40, Cost = 0.7 }));

        state = state.WithSettlement(charge, new LMBudgetSettlement(20, 10, 0.1));
        Assert.Equal(new OptimizerBudget(1, 20, 10, 0.1), state.Used);
        Assert.Equal((0L, 0L), (state.ReservedCalls, state.ReservedTokens));
        var nothing = new LMBudgetCharge("sim", 0, 0);
        state = state.WithReservation(nothing).WithSettlement(nothing, LMBudgetSettlement.Failed);
        Assert.Equal(new OptimizerBudget(2, 20, 10, 0.1), state.Used);
        Assert.Equal("calls", state.WouldCross(limits, nothing));
    }
}
