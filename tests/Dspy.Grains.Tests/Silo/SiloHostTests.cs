using Dspy.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Dspy.Grains.Tests.Silo;

[Collection(AzuriteCollection.Name)]
public sealed class SiloHostTests(AzuriteFixture azurite)
{
    [Fact]
    public void Azure_mode_without_a_connection_string_is_refused_naming_the_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DspyClusterOptions { Mode = ClusterMode.Azure }.Validate());
        Assert.Contains("Dspy:Cluster:AzureStorageConnectionString", ex.Message, StringComparison.Ordinal);
        var ports = Assert.Throws<ArgumentException>(() => new DspyClusterOptions { SiloPort = 5000, GatewayPort = 5000 }.Validate());
        Assert.Contains("GatewayPort", ports.Message, StringComparison.Ordinal);
        var grains = Assert.Throws<ArgumentException>(() => new DspyGrainsOptions { Store = GrainStateStore.AzureTable }.Validate());
        Assert.Contains("AzureStorageConnectionString", grains.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_process_with_a_bad_mode_exits_with_the_reason()
    {
        await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["Dspy__Cluster__Mode"] = "Azure" });
        Assert.NotEqual(0, await silo.ExitCodeAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("no connection string is set", silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_silo_processes_in_Azure_mode_form_one_cluster_that_a_client_evaluates_on()
    {
        var cluster = "dspy-procs-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["Dspy__Cluster__Mode"] = "Azure",
            ["Dspy__Cluster__ClusterId"] = cluster,
            ["Dspy__Cluster__ServiceId"] = cluster,
            ["ConnectionStrings__AzureStorage"] = azurite.ConnectionString,
            ["Dspy__Grains__GrainStateTable"] = "DspyProcs" + cluster[^8..],
            ["Dspy__Grains__LmCache"] = "false",
        };
        await using var a = SiloProcess.Start(environment);
        await using var b = SiloProcess.Start(environment);
        await Task.WhenAll(a.WaitReadyAsync(TimeSpan.FromMinutes(2)), b.WaitReadyAsync(TimeSpan.FromMinutes(2)));

        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => { o.ClusterId = cluster; o.ServiceId = cluster; });
            client.UseAzureStorageClustering(o => o.TableServiceClient = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString));
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var spec = new ProgramSpec("predict", Samples.Signature("intent"));
            var program = spec.Build();
            foreach (var p in program.Predictors()) p.Demos = Samples.Load("intent", "train", 8, 0, "text");
            var evaluator = new ClusterProgramEvaluator(grains, new ClusterProgramEvaluatorOptions { RunId = "procs", Program = spec, ShardSize = 1 });
            var request = new ProgramEvaluationRequest { Program = program, Examples = Samples.Load("intent", "dev", 24, 0, "text"), Metric = Metrics.Get("exact_match") };

            var cluster2 = await evaluator.EvaluateAsync(request);
            ProgramEvaluation local;
            using (Settings.Context(s => s with { Lm = new LM("sim", cache: false) }))
            {
                local = await LocalProgramEvaluator.Instance.EvaluateAsync(request);
            }

            Assert.Equal(local.Scores, cluster2.Scores);
            var silos = new HashSet<string>();
            foreach (var key in evaluator.ShardKeys) silos.Add(await grains.GetGrain<IEvaluationShardGrain>(key).SiloAsync());
            Assert.Equal(2, silos.Count);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
