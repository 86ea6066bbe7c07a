using Dspy.Cli;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Dspy.Grains.Tests.Finetune;

/// <summary>
/// A bootstrap-finetune compile run whose own silo is killed, on a 3-silo cluster in Azure mode (Azurite) against
/// <c>dspy sim serve</c> over HTTP: while its fine-tuning job runs, or after the job succeeded (during the final
/// evaluation). The run resumes on another silo, re-attaches to the job through its persisted record (the sim server
/// counts the jobs created) and ends with the in-process compile's program.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FinetuneResumeOnClusterTests(AzuriteFixture azurite, ITestOutputHelper log)
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    private async Task<InProcessTestCluster> StartAsync(string apiBase)
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ServiceId = "dspy-ftresume-" + _suffix;
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.Store = GrainStateStore.AzureTable;
            o.AzureStorageConnectionString = azurite.ConnectionString;
            o.GrainStateTable = "DspyFtResume" + _suffix;
            o.BlobContainer = "dspy-ftresume-" + _suffix;
            o.ResumeReminderPeriod = TimeSpan.FromSeconds(2);
            o.LmModel = "openai/sim";
            o.LmApiBase = apiBase;
            o.LmApiKey = "sim-key";
            o.LmCache = false;
            // One example at a time (with the server's latency), so the final evaluation lasts long enough to be interrupted.
            o.NumThreads = 1;
        }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Theory]
    [InlineData("while its job runs")]
    [InlineData("after its job succeeded")]
    public async Task A_run_whose_silo_dies_re_attaches_to_its_job_on_another_silo_and_gives_the_uninterrupted_program(string when)
    {
        var duringJob = when == "while its job runs";
        await using var server = await SimServer.StartAsync(new SimServerOptions { FineTuningDuration = TimeSpan.FromSeconds(3), LatencyMs = 100 }, new SimChatClient());
        var api = server.ApiBase.ToString();
        var (expected, before, after) = await FinetuneOnClusterTests.InProcessAsync(new LM("openai/sim", cache: false, apiKey: "sim-key", apiBase: api),
            "bootstrap-finetune", 16, null);
        var jobsBefore = server.FineTuningJobsCreated;

        var cluster = await StartAsync(api);
        try
        {
            var client = new CompileRunClient(cluster.Client);
            var runId = "ft-resume-" + (duringJob ? "during" : "after");
            var all = FinetuneOnClusterTests.Train.Count + FinetuneOnClusterTests.Val.Count;
            await client.SubmitAsync(runId, FinetuneOnClusterTests.Intent, FinetuneOnClusterTests.Train, FinetuneOnClusterTests.Val, "exact_match",
                "bootstrap-finetune", c => c with { MaxLabeledDemos = 16, ShardSize = all });
            var grain = cluster.Client.GetGrain<ICompileRunGrain>(runId);
            var runSilo = await grain.SiloAsync();

            // While the job runs: as soon as the server has it. After: once BootstrapFinetune reported the fine-tuned model
            // (its record says succeeded), while the final evaluation runs.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (DateTime.UtcNow < deadline && !(duringJob
                ? server.FineTuningJobsCreated > jobsBefore
                : (await grain.GetEventsAsync(0)).Any(e => e.Message?.StartsWith("fine-tuned sim -> ft:", StringComparison.Ordinal) == true)))
            {
                await Task.Delay(duringJob ? 10 : 50);
            }
            Assert.Equal(CompileRunState.Running, (await grain.GetStatusAsync()).State);
            var jobId = Assert.Single(server.FineTuningJobs.Skip((int)jobsBefore)).Id;
            Assert.Equal(duringJob, Assert.Single(server.FineTuningJobs.Skip((int)jobsBefore)).Status != "succeeded");
            await cluster.KillSiloAsync(cluster.GetActiveSilos().Single(s => s.SiloAddress.ToString() == runSilo));

            var events = new List<RunProgressEvent>();
            var status = await client.WaitAsync(runId, events.Add);

            Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
            Assert.True(status.Attempts >= 2, $"attempts {status.Attempts}: the run was not resumed");
            Assert.NotEqual(runSilo, await grain.SiloAsync());
            Assert.Equal(jobsBefore + 1, server.FineTuningJobsCreated); // no second job
            Assert.Contains(events, e => e.Message?.Contains($"(job {jobId} resumed)", StringComparison.Ordinal) == true);
            Assert.Equal(expected, status.ResultStateJson);
            Assert.Equal((before, after), (status.BaselineScore, status.OptimizedScore));
            var key = server.FineTuningJobs[^1].Metadata["dspy_request_key"];
            var record = FinetuneJobRecord.Parse((await cluster.Client.GetGrain<IFinetuneJobGrain>(key).GetAsync())!);
            Assert.Equal((FinetuneJobState.Succeeded, jobId, 1), (record.State, record.JobId, record.Attempt));
            log.WriteLine($"killed the run's silo {when}: {status.Attempts} attempts, job {jobId} re-attached, {server.FineTuningJobsCreated - jobsBefore} job created by the run");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
