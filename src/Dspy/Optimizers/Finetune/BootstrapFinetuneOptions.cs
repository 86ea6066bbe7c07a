namespace Dspy;

/// <summary>
/// The settings of <see cref="BootstrapFinetune"/>, with DSPy's names and defaults (<c>BootstrapFinetune(metric=None,
/// multitask=True, train_kwargs=None, adapter=None, exclude_demos=False, num_threads=None)</c>) plus the provider.
/// </summary>
public sealed record BootstrapFinetuneOptions
{
    /// <summary>Keeps only the traces whose score is truthy (non-zero); null keeps every trace.</summary>
    public Metric? Metric { get; init; }

    /// <summary>One job per distinct LM for all its predictors (true), or one job per predictor (false).</summary>
    public bool Multitask { get; init; } = true;

    /// <summary>Sent as the job's <c>hyperparameters</c> (e.g. <c>n_epochs</c>), the same for every LM.</summary>
    public IReadOnlyDictionary<string, object?>? TrainKwargs { get; init; }

    /// <summary>Formats the training records; null means <see cref="DspySettings.Adapter"/>, else a <see cref="ChatAdapter"/>.</summary>
    public ChatAdapter? Adapter { get; init; }

    /// <summary>Leave the predictors' demos out of the training prompts and clear them on the fine-tuned program.</summary>
    public bool ExcludeDemos { get; init; }

    /// <summary>Threads of the trace bootstrapping, and the most jobs allowed; null means <see cref="DspySettings.NumThreads"/>.</summary>
    public int? NumThreads { get; init; }

    /// <summary>Runs the jobs; null means a default <see cref="OpenAIFinetuneProvider"/>.</summary>
    public FinetuneProvider? Provider { get; init; }

    /// <summary>
    /// Remembers the jobs by training request, so a compile re-run after a crash re-attaches to the job it started (or takes
    /// its model) instead of starting another; null means <see cref="DspySettings.FinetuneJobs"/>, else the fine-tuned LM's
    /// disk cache folder (<see cref="FinetuneJobFolder.ForLm"/>; none for an LM without a disk cache).
    /// </summary>
    public IFinetuneJobStore? JobStore { get; init; }
}
