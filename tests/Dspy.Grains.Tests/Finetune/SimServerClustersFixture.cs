using Dspy.Cli;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Finetune;

/// <summary>
/// A simulated LM server over real HTTP (<c>dspy sim serve</c> in-process, with OpenAI's fine-tuning API) and two clusters,
/// of 3 silos and of 1, whose silos run <c>openai/sim</c> against it through the LM gateway (every call takes a permit
/// from the endpoint's broker; the limit is high enough never to hold one back), uncached so every cell is a request.
/// </summary>
public sealed class SimServerClustersFixture : IAsyncLifetime
{
    /// <summary>The silos' gateway limit: requests per minute per endpoint.</summary>
    public const int RequestsPerWindow = 100_000;

    public SimServer Server { get; private set; } = null!;

    public InProcessTestCluster Three { get; private set; } = null!;

    public InProcessTestCluster One { get; private set; } = null!;

    public string ApiBase => Server.ApiBase.ToString();

    /// <summary>The LM an in-process compile uses: the silos' model, endpoint and cache setting.</summary>
    public LM TaskLm() => new("openai/sim", cache: false, apiKey: "sim-key", apiBase: ApiBase);

    public async Task InitializeAsync()
    {
        Server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        Three = await StartAsync(3);
        One = await StartAsync(1);
    }

    public async Task DisposeAsync()
    {
        await Three.DisposeAsync();
        await One.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>Cells evaluated on each active silo of <paramref name="cluster"/>, by silo address.</summary>
    public static Dictionary<string, long> CellsBySilo(InProcessTestCluster cluster) => cluster.GetActiveSilos().ToDictionary(
        s => s.SiloAddress.ToString(),
        s => cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>().CellsEvaluated);

    private async Task<InProcessTestCluster> StartAsync(int silos)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.LmModel = "openai/sim";
            o.LmApiBase = ApiBase;
            o.LmApiKey = "sim-key";
            o.LmCache = false;
            o.LmRequestsPerWindow = RequestsPerWindow;
        }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
