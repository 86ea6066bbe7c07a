using Dspy.Cli;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Gateway;

/// <summary>
/// Three silos calling one rate-limited <c>dspy sim serve</c> endpoint over HTTP through the permit broker: the server
/// counts what it received and never has to answer 429.
/// </summary>
public sealed class GatewaySimServerTests
{
    [Fact]
    public async Task Three_silos_through_the_broker_keep_the_sim_server_under_its_limit_with_no_429()
    {
        var window = TimeSpan.FromSeconds(4);
        await using var server = await SimServer.StartAsync(new SimServerOptions { Rpm = 20, Window = window }, new SimChatClient(new SimOptions()));
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.LmModel = "openai/sim";
            o.LmApiBase = server.ApiBase.ToString();
            o.LmApiKey = "sim-key";
            o.LmCache = false;
            o.LmRequestsPerWindow = 20;
            o.LmWindow = window;
            o.NumThreads = 8;
        }));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var spec = new ProgramSpec("predict", Samples.Signature("intent"));
        var program = spec.Build();
        foreach (var p in program.Predictors()) p.Demos = Samples.Load("intent", "train", 8, 0, "text");
        var evaluator = new ClusterProgramEvaluator(cluster.Client, new ClusterProgramEvaluatorOptions { RunId = "gateway", Program = spec, ShardSize = 2 });
        var examples = Samples.Load("intent", "train", 40, 600, "text");
        var result = await evaluator.EvaluateAsync(new ProgramEvaluationRequest { Program = program, Examples = examples, Metric = Metrics.Get("exact_match") });

        Assert.All(result.Results, r => Assert.True(r.Succeeded, r.Error?.Message));
        var stats = server.Stats;
        Assert.Equal(40, result.Results.Count);
        Assert.Equal(40, stats.Served);
        var broker = await cluster.Client.GetGrain<ILmGatewayGrain>($"openai/sim@{server.ApiBase}").GetStatsAsync();
        Assert.Equal(0, stats.RateLimited);
        var arrivals = server.Requests.Select(r => r.Arrival).Order().ToList();
        var busiest = arrivals.Select((start, i) => arrivals.Skip(i).TakeWhile(a => a - start < window).Count()).Max();
        Assert.True(busiest <= 20, $"{busiest} requests reached the server within one {window} window");
        // The calls came from every silo (each silo makes its own HTTP calls with its own leases).
        var cells = cluster.GetActiveSilos().Select(s => cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>().CellsEvaluated);
        Assert.All(cells, c => Assert.True(c > 0));
        Assert.Equal(0, broker.RateLimited);
        Assert.True(broker.Granted >= 40, $"granted {broker.Granted}");
    }
}
