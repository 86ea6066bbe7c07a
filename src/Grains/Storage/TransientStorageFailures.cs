using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Dspy.Grains;

/// <summary>
/// A grain storage provider in front of the real one (Azure Table or memory) that reports the storage's own failures (an
/// outage, throttling, a timed-out request, a provider already stopped with its silo) as
/// <see cref="StorageUnavailableException"/>. Orleans would wrap them in a plain <see cref="OrleansException"/>, which a
/// compile run could not tell from a failure of its work: it would end the run as failed, where a retry gets past them.
/// Etag conflicts (<see cref="InconsistentStateException"/>) pass unchanged: Orleans deactivates the grain that lets one
/// escape a call, so its next activation reads the stored state.
/// </summary>
internal sealed class TransientStorageFailures(string name, IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("read", grainId, () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("write", grainId, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        GuardAsync("clear", grainId, () => inner.ClearStateAsync(stateName, grainId, grainState));

    /// <summary>Registers this provider as grain storage <paramref name="name"/>, over the one registered as <see cref="GrainStorageNames.ProviderOf"/>.</summary>
    public static void Register(IServiceCollection services, string name) =>
        services.AddGrainStorage(name, (sp, n) => new TransientStorageFailures(n, sp.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.ProviderOf(n))));

    private async Task GuardAsync(string operation, GrainId grainId, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception ex) when (ex is not (InconsistentStateException or StorageUnavailableException or OperationCanceledException))
        {
            throw new StorageUnavailableException($"Grain storage '{name}' could not {operation} the state of {grainId}: {ex.Message}", ex);
        }
    }
}
