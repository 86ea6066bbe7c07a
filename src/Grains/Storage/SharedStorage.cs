using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>The silo's Azure storage beyond grain state: the blob container for large payloads and the shared LM cache.</summary>
public static class SharedStorage
{
    /// <summary>Registers <see cref="BlobPayloadStore"/>, <see cref="AzureLmCacheStore"/> and the silo's <see cref="Cache"/> over it, for Azure mode.</summary>
    public static IServiceCollection AddDspyAzureStorage(this IServiceCollection services, DspyGrainsOptions options, TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        services.AddSingleton(_ => new BlobPayloadStore(options.AzureStorageConnectionString!, options.BlobContainer));
        services.AddSingleton(sp => new AzureLmCacheStore(tables.GetTableClient(options.LmCacheTable), sp.GetRequiredService<BlobPayloadStore>()));
        // One memory level per silo, shared by all of the silo's LMs (task and prompt models).
        services.AddSingleton(sp => new Cache(sp.GetRequiredService<AzureLmCacheStore>())
        {
            Logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<Cache>(),
        });
        return services;
    }

    /// <summary>
    /// The silo LM's cache: DSPy's memory LRU in front of the cluster-wide store when <see cref="DspyGrainsOptions.SharedLmCache"/>;
    /// otherwise null (the process-wide <see cref="Cache.Current"/>, the disk cache under the silo's data folder).
    /// </summary>
    public static Cache? LmCacheOf(DspyGrainsOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        return options.SharedLmCache ? services.GetRequiredService<Cache>() : null;
    }
}
