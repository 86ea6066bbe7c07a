using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests;

/// <summary>
/// A 3-silo in-process cluster with memory storage; every silo runs programs with its own uncached sim LM, so each
/// cell evaluated is a real (simulated) LM call on that silo.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o => o.LmCache = false));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Cells evaluated on each active silo, by silo address.</summary>
    public Dictionary<string, long> CellsBySilo() => Cluster.GetActiveSilos().ToDictionary(
        s => s.SiloAddress.ToString(),
        s => Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<SiloLanguageModel>().CellsEvaluated);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "3-silo cluster";
}
