using System.Collections.Concurrent;
using Dspy.Grains.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Runs;

/// <summary>
/// With Azure Table storage (Azurite), a whole cluster stopped in the middle of a compile and started again resumes
/// the run through its reminder and re-evaluates no cell that was completed and stored before the stop: with the cells in
/// the shards' state, and with every part of every state in blobs (an inline limit of 0: cells in blob segments, the
/// run's configuration and result, the candidates' programs and scores in content-named blobs).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClusterRestartTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _serviceId = "dspy-restart-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _table = "DspyRestart" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _container = "dspy-restart-" + Guid.NewGuid().ToString("N")[..8];

    private readonly LogCapture _logs = new();

    public void Dispose() => _logs.Dispose();

    private async Task<InProcessTestCluster> StartClusterAsync(ConcurrentDictionary<string, int> evaluated, ConcurrentDictionary<string, int> stored,
        int inlineLimit, HoldableChatClient chat)
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ServiceId = _serviceId;
        builder.ConfigureSiloHost((_, host) => host.Logging.AddProvider(_logs).AddFilter<LogCapture>(null, LogLevel.Trace));
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.Store = GrainStateStore.AzureTable;
            o.AzureStorageConnectionString = azurite.ConnectionString;
            o.GrainStateTable = _table;
            o.BlobContainer = _container;
            o.StateInlineLimitBytes = inlineLimit;
            o.ResumeReminderPeriod = TimeSpan.FromSeconds(2);
            o.Lm = new LM("sim", chat, cache: false);
        }).WatchCells(id => evaluated.AddOrUpdate(id, 1, (_, n) => n + 1), id => stored.TryAdd(id, 0)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static HoldableChatClient NewLm() => new(new SimChatClient(new SimOptions { Latency = TimeSpan.FromMilliseconds(60) }));

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(0)]
    public async Task A_cluster_restarted_mid_compile_resumes_on_its_reminder_and_re_evaluates_no_stored_cell(int inlineLimit)
    {
        var evaluatedBefore = new ConcurrentDictionary<string, int>();
        var storedBefore = new ConcurrentDictionary<string, int>();
        var firstLm = NewLm();
        var first = await StartClusterAsync(evaluatedBefore, storedBefore, inlineLimit, firstLm);
        await new CompileRunClient(first.Client).SubmitAsync("run-restart", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val,
            "exact_match", "bootstrap-fewshot", CompileRunTests.Configure);
        while (storedBefore.Count < 10) await Task.Delay(20);
        // The LM is held first: while the silos stop (seconds on a loaded machine) the run could otherwise go on evaluating
        // and finish, leaving nothing to resume. Then all silos at once, so no survivor carries the run on.
        firstLm.Hold();
        await Task.WhenAll(first.GetActiveSilos().ToList().Select(first.KillSiloAsync));
        await first.DisposeAsync();
        firstLm.Abandon();
        var stored = storedBefore.Keys.ToHashSet();

        var evaluatedAfter = new ConcurrentDictionary<string, int>();
        var second = await StartClusterAsync(evaluatedAfter, new ConcurrentDictionary<string, int>(), inlineLimit, NewLm());
        try
        {
            // Nobody calls the run: its reminder must bring it back and it must evaluate again.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (evaluatedAfter.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
            if (evaluatedAfter.IsEmpty)
            {
                var run = await second.Client.GetGrain<ICompileRunGrain>("run-restart").GetStatusAsync();
                var events = await second.Client.GetGrain<ICompileRunGrain>("run-restart").GetEventsAsync(0);
                Assert.Fail($"the run did not evaluate again within 2 minutes of the restart ({stored.Count} cells stored before the stop); "
                    + $"its status when asked: {run.State}, attempts {run.Attempts}, error {run.Error ?? "none"}; events: "
                    + string.Join(", ", events.Select(e => e.Kind)) + Environment.NewLine + "silo log:" + Environment.NewLine
                    + _logs.Tail(60, "run-restart", "reminder", "CompileRun", "Exception", "fail"));
            }
            var status = await new CompileRunClient(second.Client).WaitAsync("run-restart");
            var afterRestart = evaluatedAfter.Keys.ToHashSet();

            Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
            Assert.True(status.Attempts >= 2, $"attempts {status.Attempts}");
            Assert.Equal(await CompileRunTests.InProcessAsync(), status.ResultStateJson);
            Assert.DoesNotContain(evaluatedAfter.Keys, stored.Contains);
            Assert.All(evaluatedAfter, kv => Assert.Equal(1, kv.Value));

            // The resumed run evaluated (run id aside) exactly the cells an uninterrupted run of the same configuration does.
            var reference = new ConcurrentDictionary<string, int>();
            foreach (var s in second.GetActiveSilos())
            {
                second.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>().CellEvaluated +=
                    id => { if (id.StartsWith("run-reference:", StringComparison.Ordinal)) reference.TryAdd(id["run-reference:".Length..], 0); };
            }
            var client = new CompileRunClient(second.Client);
            await client.SubmitAsync("run-reference", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val,
                "exact_match", "bootstrap-fewshot", CompileRunTests.Configure);
            Assert.Equal(status.ResultStateJson, (await client.WaitAsync("run-reference")).ResultStateJson);
            var resumed = evaluatedBefore.Keys.Union(afterRestart).Select(id => id["run-restart:".Length..]).ToHashSet();
            Assert.True(stored.Count < reference.Count, $"{stored.Count} of {reference.Count} cells were stored before the restart: the run had finished");
            Assert.True(resumed.SetEquals(reference.Keys), $"resumed run: {resumed.Count} cells, uninterrupted: {reference.Count}; only resumed: {string.Join(" ", resumed.Except(reference.Keys).Take(3))}; only reference: {string.Join(" ", reference.Keys.Except(resumed).Take(3))}");

            var named = await StoredGrainStates.AssertNamedBlobsExistAsync(azurite.ConnectionString, _table, _container);
            if (inlineLimit == 0) Assert.Contains(named, n => n.StartsWith("cells/", StringComparison.Ordinal));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
