namespace Dspy.Grains;

/// <summary>
/// The cluster's <see cref="IGepaFrontStore"/>: a GEPA run's front kept in the run's Pareto-front grain (key: run id), saved
/// after every round, so a compile run resumed on another silo continues from its last round with the same result.
/// </summary>
public sealed class ParetoFrontGrainStore : IGepaFrontStore
{
    private readonly IParetoFrontGrain _grain;

    private ParetoFrontGrainStore(IParetoFrontGrain grain) => _grain = grain;

    /// <summary>The store of run <paramref name="runId"/>.</summary>
    /// <exception cref="ArgumentException">The run id is not a valid key.</exception>
    public static ParetoFrontGrainStore For(IGrainFactory grainFactory, string runId)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        GrainKeys.CheckRunId(runId);
        return new ParetoFrontGrainStore(grainFactory.GetGrain<IParetoFrontGrain>(runId));
    }

    /// <summary>
    /// The optimizer a compile run should use: a <see cref="Gepa"/> without a front store gets this run's grain store; any
    /// other optimizer is returned as it is.
    /// </summary>
    public static Teleprompter Attach(Teleprompter optimizer, IGrainFactory grainFactory, string runId)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer is Gepa { Options.FrontStore: null } gepa
            ? new Gepa(gepa.Options with { FrontStore = For(grainFactory, runId) })
            : optimizer;
    }

    /// <inheritdoc/>
    public async Task<GepaCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        var record = await _grain.GetGepaAsync().WaitAsync(cancellationToken);
        return record is null ? null : GepaFrontRecords.ToCheckpoint(record);
    }

    /// <inheritdoc/>
    public Task SaveAsync(GepaCheckpoint checkpoint, CancellationToken cancellationToken) =>
        _grain.SaveGepaAsync(GepaFrontRecords.From(checkpoint)).WaitAsync(cancellationToken);
}
