using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Runs;

/// <summary>
/// With Azure Table storage (Azurite), a whole cluster stopped in the middle of a compile and started again resumes
/// the run through its reminder and re-evaluates no cell that was completed and stored before the stop.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClusterRestartTests(AzuriteFixture azurite)
{
    private readonly string _serviceId = "dspy-restart-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _table = "DspyRestart" + Guid.NewGuid().ToString("N")[..8];

    private async Task<InProcessTestCluster> StartClusterAsync(ConcurrentDictionary<string, int> evaluated, ConcurrentDictionary<string, int> stored)
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.Store = GrainStateStore.AzureTable;
            o.AzureStorageConnectionString = azurite.ConnectionString;
            o.GrainStateTable = _table;
            o.ResumeReminderPeriod = TimeSpan.FromSeconds(2);
            o.Lm = new LM("sim", new SimChatClient(new SimOptions { Latency = TimeSpan.FromMilliseconds(15) }), cache: false);
        }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        foreach (var s in cluster.GetActiveSilos())
        {
            var lm = cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>();
            lm.CellEvaluated += id => evaluated.AddOrUpdate(id, 1, (_, n) => n + 1);
            lm.CellStored += id => stored.TryAdd(id, 0);
        }
        return cluster;
    }

    [Fact]
    public async Task A_cluster_restarted_mid_compile_resumes_on_its_reminder_and_re_evaluates_no_stored_cell()
    {
        var evaluatedBefore = new ConcurrentDictionary<string, int>();
        var storedBefore = new ConcurrentDictionary<string, int>();
        var first = await StartClusterAsync(evaluatedBefore, storedBefore);
        await new CompileRunClient(first.Client).SubmitAsync("run-restart", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val,
            "exact_match", "bootstrap-fewshot", CompileRunTests.Configure);
        while (storedBefore.Count < 10) await Task.Delay(20);
        foreach (var silo in first.GetActiveSilos().Reverse().ToList()) await first.KillSiloAsync(silo);
        await first.DisposeAsync();
        var stored = storedBefore.Keys.ToHashSet();

        var evaluatedAfter = new ConcurrentDictionary<string, int>();
        var second = await StartClusterAsync(evaluatedAfter, new ConcurrentDictionary<string, int>());
        try
        {
            // Nobody calls the run: its reminder must bring it back and it must evaluate again.
            using (var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                while (evaluatedAfter.IsEmpty) await Task.Delay(50, wait.Token);
            }
            var status = await new CompileRunClient(second.Client).WaitAsync("run-restart");

            Assert.Equal(CompileRunState.Completed, status.State);
            Assert.True(status.Attempts >= 2, $"attempts {status.Attempts}");
            Assert.Equal(await CompileRunTests.InProcessAsync(), status.ResultStateJson);
            Assert.DoesNotContain(evaluatedAfter.Keys, stored.Contains);
            Assert.All(evaluatedAfter, kv => Assert.Equal(1, kv.Value));
            Assert.True(stored.Count < 80, $"{stored.Count} cells were stored before the restart: the run had finished");
            // Every cell of the run (baseline and final evaluations) was either stored before the stop or evaluated after it.
            Assert.Equal(80, stored.Union(evaluatedAfter.Keys).Count());
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
