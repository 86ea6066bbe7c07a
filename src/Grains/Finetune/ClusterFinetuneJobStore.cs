namespace Dspy.Grains;

/// <summary>
/// The cluster's <see cref="IFinetuneJobStore"/>: each request's record in its <see cref="IFinetuneJobGrain"/> (persisted
/// with the runs' grain storage: Azure Table storage in Azure mode), so it survives the silo of the run that wrote it.
/// A compile run installs it for its optimizer (<see cref="DspySettings.FinetuneJobs"/>) unless
/// <see cref="DspyGrainsOptions.FinetuneJobs"/> names another store. Grain call failures propagate (never "no record").
/// </summary>
public sealed class ClusterFinetuneJobStore(IGrainFactory grains) : IFinetuneJobStore
{
    private readonly IGrainFactory _grains = grains ?? throw new ArgumentNullException(nameof(grains));

    /// <inheritdoc/>
    public async ValueTask<FinetuneJobRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await Grain(key).GetAsync() is { } json ? FinetuneJobRecord.Parse(json) : null;
    }

    /// <inheritdoc/>
    public async ValueTask PutAsync(FinetuneJobRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        await Grain(record.Key).PutAsync(record.ToJson());
    }

    private IFinetuneJobGrain Grain(string key) => FinetuneRequestKey.IsKey(key)
        ? _grains.GetGrain<IFinetuneJobGrain>(key)
        : throw new ArgumentException($"'{key}' is not a fine-tuning request key (64 lowercase hex digits).", nameof(key));
}
