using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;

namespace Dspy.Grains;

/// <summary>Adds the Dspy grains, their storage and the silo's LM to an Orleans silo.</summary>
public static class DspySiloBuilderExtensions
{
    /// <summary>
    /// Registers grain storage (<see cref="GrainStorageNames"/>) in memory or Azure Table storage with the JSON storage
    /// serializer, the matching reminder service, and the silo's <see cref="SiloLanguageModel"/>. Clustering is the host's
    /// choice (localhost, Azure Table, or the test cluster's).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (checked here, so a bad configuration fails at start).</exception>
    public static ISiloBuilder AddDspyGrains(this ISiloBuilder silo, Action<DspyGrainsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = new DspyGrainsOptions();
        configure?.Invoke(options);
        options.Validate();

        var serializer = new JsonGrainStorageSerializer();
        if (options.Store == GrainStateStore.AzureTable)
        {
            var tables = new TableServiceClient(options.AzureStorageConnectionString);
            foreach (var name in new[] { GrainStorageNames.Runs, GrainStorageNames.Cells })
            {
                silo.AddAzureTableGrainStorage(GrainStorageNames.ProviderOf(name), o =>
                {
                    o.TableServiceClient = tables;
                    o.TableName = options.GrainStateTable;
                    o.GrainStorageSerializer = serializer;
                });
            }
            silo.UseAzureTableReminderService(o =>
            {
                o.TableServiceClient = tables;
                o.TableName = options.GrainStateTable + "Reminders";
            });
            silo.Services.AddDspyAzureStorage(options, tables);
        }
        else
        {
            foreach (var name in new[] { GrainStorageNames.Runs, GrainStorageNames.Cells })
            {
                silo.AddMemoryGrainStorage(GrainStorageNames.ProviderOf(name), o => o.GrainStorageSerializer = serializer);
            }
            silo.UseInMemoryReminderService();
        }

        // The storage's failures reach the grains as transient (see TransientStorageFailures), whichever provider is below.
        foreach (var name in new[] { GrainStorageNames.Runs, GrainStorageNames.Cells }) TransientStorageFailures.Register(silo.Services, name);

        silo.Services.AddSingleton(sp => new SiloLanguageModel(options.Lm ?? CreateLm(options, options.LmModel, sp), options.NumThreads,
            model => options.Lm is null ? CreateLm(options, model, sp) : options.LmFactory?.Invoke(model) ?? new LM(model, cache: options.LmCache)));
        silo.Services.AddSingleton<IGrainStorageSerializer>(serializer);
        silo.Services.AddSingleton(options);
        if (options.ResumeReminderPeriod < TimeSpan.FromMinutes(1))
        {
            silo.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = options.ResumeReminderPeriod);
        }
        return silo;
    }

    // The silo's LM pipeline: the provider's client, wrapped in the gateway's permit client when the endpoint has limits.
    // DSPy's request cache sits in the LM, outside the limiter, so cache hits cost no quota; in Azure mode it is shared by all silos.
    // Other models of the same silo (prompt LMs, fine-tuned models) share the base URL and credential, and get their own broker key.
    private static LM CreateLm(DspyGrainsOptions options, string model, IServiceProvider services)
    {
        var cache = SharedStorage.LmCacheOf(options, services);
        var plain = new LM(model, cache: options.LmCache, apiKey: options.LmApiKey, apiBase: options.LmApiBase) { CacheStore = cache };
        if (options.EndpointLimits is null && options.TenantQuotas.Count == 0) return plain;
        var key = model == options.LmModel && options.LmEndpointKey is { } configured ? configured : $"{model}@{options.LmApiBase ?? "default"}";
        var silo = services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToString();
        var gateway = new LmGatewayChatClient(plain.ChatClient, services.GetRequiredService<IGrainFactory>(), key, options.EndpointLimits, silo, options.TenantQuotas);
        // The gateway's LM keeps the endpoint in its kwargs (its requests go through the gateway client): fine-tuning reaches
        // the provider with it, and a program's saved LM state is the plain LM's.
        var endpoint = plain.Kwargs.Where(kv => kv.Key is "api_key" or "api_base").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new LM(model, gateway, cache: options.LmCache, kwargs: endpoint, capabilities: plain.Capabilities) { CacheStore = cache };
    }
}
