namespace Dspy.Grains;

/// <summary>
/// A compile run (key: run id): its configuration, lifecycle, progress events and result. Persisted; a reminder wakes
/// it after a silo failure and it resumes by re-running the same seed, so completed cells come from the shards' store.
/// </summary>
[Alias("dspy.ICompileRunGrain")]
public interface ICompileRunGrain : IGrainWithStringKey
{
    /// <summary>Starts the run (idempotent for the same configuration; a different one for a started run is refused).</summary>
    [Alias("Start")]
    Task<CompileRunStatus> StartAsync(CompileRunConfig config);

    /// <summary>The run's status.</summary>
    [Alias("Status")]
    Task<CompileRunStatus> GetStatusAsync();

    /// <summary>Progress events from <paramref name="fromIndex"/> on.</summary>
    [Alias("Events")]
    Task<IReadOnlyList<RunProgressEvent>> GetEventsAsync(int fromIndex);

    /// <summary>The silo this activation runs on (diagnostics).</summary>
    [Alias("Silo")]
    Task<string> SiloAsync();

    /// <summary>Cancels a running run.</summary>
    [Alias("Cancel")]
    Task CancelAsync();
}
