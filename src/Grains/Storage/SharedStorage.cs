using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>The silo's Azure storage beyond grain state: the blob container for large payloads and the shared LM cache.</summary>
public static class SharedStorage
{
    /// <summary>Registers <see cref="BlobPayloadStore"/> and <see cref="AzureLmCacheStore"/> for Azure mode.</summary>
    public static IServiceCollection AddDspyAzureStorage(this IServiceCollection services, DspyGrainsOptions options, TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        services.AddSingleton(_ => new BlobPayloadStore(options.AzureStorageConnectionString!, options.BlobContainer));
        services.AddSingleton(sp => new AzureLmCacheStore(tables.GetTableClient(options.LmCacheTable), sp.GetRequiredService<BlobPayloadStore>()));
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
        if (!options.SharedLmCache) return null;
        return new Cache(services.GetRequiredService<AzureLmCacheStore>())
        {
            Logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<Cache>(),
        };
    }
}
