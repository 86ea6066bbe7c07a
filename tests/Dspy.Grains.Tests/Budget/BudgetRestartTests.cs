using System.Collections.Concurrent;
using Dspy.Grains.Tests.Runs;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Dspy.Grains.Tests.Budget;

/// <summary>
/// With Azure Table storage (Azurite), a budgeted run whose whole cluster is stopped mid-compile resumes with the budget
/// it had used, not a fresh one: over both clusters, the LMs never send more calls than the limit; its per-phase LM call
/// counts continue too.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BudgetRestartTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const long MaxCalls = 150;
    private readonly string _serviceId = "dspy-budget-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _table = "DspyBudget" + Guid.NewGuid().ToString("N")[..8];

    private async Task<InProcessTestCluster> StartClusterAsync(ConcurrentBag<CountingSimClient> clients)
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            // Some latency per call, so the run is still going when the cluster is stopped.
            var client = new CountingSimClient(new SimOptions { Latency = TimeSpan.FromMilliseconds(40) });
            clients.Add(client);
            silo.AddDspyGrains(o =>
            {
                o.Store = GrainStateStore.AzureTable;
                o.AzureStorageConnectionString = azurite.ConnectionString;
                o.GrainStateTable = _table;
                o.ResumeReminderPeriod = TimeSpan.FromSeconds(2);
                o.Lm = new LM("sim", client, cache: false);
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact]
    public async Task A_resumed_run_continues_its_used_budget_and_the_limit_holds_over_both_clusters()
    {
        var firstClients = new ConcurrentBag<CountingSimClient>();
        var first = await StartClusterAsync(firstClients);
        await new CompileRunClient(first.Client).SubmitAsync("budget-restart", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val,
            "exact_match", "random-search",
            c => c with { NumCandidatePrograms = 4, Parallelism = 2, ShardSize = 3, Budget = new RunBudgetLimits { MaxCalls = MaxCalls } });
        var budget = first.Client.GetGrain<IRunBudgetGrain>("budget-restart");
        RunBudgetSnapshot beforeStop;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while ((beforeStop = await budget.GetAsync()).Calls < 40 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(beforeStop.Exhausted, $"the budget ran out before the stop: {beforeStop}");
        await Task.WhenAll(first.GetActiveSilos().ToList().Select(first.KillSiloAsync));
        await first.DisposeAsync();
        var sentBefore = firstClients.Sum(c => c.Budgeted);

        var secondClients = new ConcurrentBag<CountingSimClient>();
        var second = await StartClusterAsync(secondClients);
        try
        {
            var status = await new CompileRunClient(second.Client).WaitAsync("budget-restart")
                .WaitAsync(TimeSpan.FromMinutes(3));
            var sentAfter = secondClients.Sum(c => c.Budgeted);
            output.WriteLine($"before the stop: {beforeStop} (sent {sentBefore}); final: {status.Budget} (sent after the restart {sentAfter}); attempts {status.Attempts}");

            Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
            Assert.True(status.Attempts >= 2, $"attempts {status.Attempts}");
            Assert.NotNull(status.ResultStateJson);
            Assert.NotNull(status.Budget);
            // Not a fresh budget: the calls charged before the stop are still there, and all calls sent fit in one limit.
            Assert.True(status.Budget.Calls >= beforeStop.Calls + sentAfter, $"{status.Budget} vs {beforeStop.Calls} + {sentAfter}");
            Assert.InRange(sentBefore + sentAfter, 1, MaxCalls);
            Assert.True(status.Budget.Calls + status.Budget.ReservedCalls <= MaxCalls, status.Budget.ToString());
            Assert.True(status.Budget.Exhausted, status.Budget.ToString());
            // The per-phase counts were kept with the run too: the baseline's calls (all made by the first cluster) and the
            // final evaluation's (by the second) are the requests the LMs sent in them.
            long Sent(IEnumerable<CountingSimClient> clients, string phase) => clients.Sum(c => c.ByPhase.GetValueOrDefault(phase));
            Assert.Equal(Sent(firstClients, RunPhases.Baseline) + Sent(secondClients, RunPhases.Baseline), RunPhases.Of(status.LmUsage, RunPhases.Baseline).Calls);
            Assert.True(Sent(firstClients, RunPhases.Baseline) > 0);
            Assert.Equal(Sent(firstClients, RunPhases.Final) + Sent(secondClients, RunPhases.Final), RunPhases.Of(status.LmUsage, RunPhases.Final).Calls);
            Assert.Equal(status.Budget.Calls, RunPhases.Of(status.LmUsage, RunPhases.Compile).Calls);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
