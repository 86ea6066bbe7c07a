using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Runs;

/// <summary>A compile run survives a silo killed in the middle of it (its own cluster: the kill would spoil a shared one).</summary>
public sealed class SiloFailureTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        // A little simulated latency per LM call, so the run is still going when the silo dies.
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
            o.Lm = new LM("sim", new SimChatClient(new SimOptions { Latency = TimeSpan.FromMilliseconds(15) }), cache: false)));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private long Cells() => _cluster.GetActiveSilos().Sum(s =>
        _cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>().CellsEvaluated);

    [Fact]
    public async Task A_silo_killed_mid_compile_leaves_the_run_to_finish_with_the_uninterrupted_program()
    {
        var client = new CompileRunClient(_cluster.Client);
        await client.SubmitAsync("run-kill", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", "bootstrap-fewshot",
            CompileRunTests.Configure);
        var runSilo = await _cluster.Client.GetGrain<ICompileRunGrain>("run-kill").SiloAsync();

        // Kill a silo (not the run's own) once shards have started evaluating.
        while (Cells() < 6) await Task.Delay(20);
        var victim = _cluster.GetActiveSilos().First(s => s.SiloAddress.ToString() != runSilo);
        var cellsBeforeKill = Cells();
        await _cluster.KillSiloAsync(victim);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // a run that never resumes fails the test, not CI
        var status = await client.WaitAsync("run-kill", cancellationToken: timeout.Token);

        Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
        Assert.True(Cells() > cellsBeforeKill, $"no cell was evaluated after the kill ({cellsBeforeKill} before): the run had finished");
        Assert.Equal(await CompileRunTests.InProcessAsync(), status.ResultStateJson);
    }
}
