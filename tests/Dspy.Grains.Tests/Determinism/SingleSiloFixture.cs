using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Determinism;

/// <summary>A 1-silo in-process cluster (memory storage, uncached sim LM), the other end of the 1-vs-3-silo comparisons.</summary>
public sealed class SingleSiloFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o => o.LmCache = false));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Cells the silo has evaluated.</summary>
    public long CellsEvaluated => Cluster.GetActiveSilos().Sum(s => Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>().CellsEvaluated);
}
