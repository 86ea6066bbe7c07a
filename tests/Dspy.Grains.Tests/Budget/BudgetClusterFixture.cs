using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Budget;

/// <summary>A 3-silo in-process cluster whose silos each run an uncached sim LM that counts the requests it sends.</summary>
public sealed class BudgetClusterFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, CountingSimClient> _clients = new(StringComparer.Ordinal);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            var client = _clients.GetOrAdd(options.SiloName, _ => new CountingSimClient());
            silo.AddDspyGrains(o => o.Lm = new LM("sim", client, cache: false));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Requests sent under a budget, per silo.</summary>
    internal IReadOnlyDictionary<string, long> BudgetedBySilo() => _clients.ToDictionary(kv => kv.Key, kv => kv.Value.Budgeted, StringComparer.Ordinal);

    /// <summary>Requests sent over all silos by compile-run phase ("none": outside a run).</summary>
    internal Dictionary<string, long> SentByPhase() => _clients.Values.SelectMany(c => c.ByPhase)
        .GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value), StringComparer.Ordinal);

    /// <summary>Budgeted proposer requests over all silos.</summary>
    internal long BudgetedProposals() => _clients.Values.Sum(c => c.BudgetedProposals);

    /// <summary>The grain factories of the silos (calls made from each silo).</summary>
    internal IReadOnlyList<IGrainFactory> SiloGrainFactories() =>
        Cluster.GetActiveSilos().Select(s => Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<IGrainFactory>()).ToList();
}

[CollectionDefinition(Name)]
public sealed class BudgetClusterCollection : ICollectionFixture<BudgetClusterFixture>
{
    public const string Name = "3-silo cluster with counting LMs";
}
