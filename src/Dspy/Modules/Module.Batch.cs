namespace Dspy;

public abstract partial class Module
{
    /// <summary>
    /// DSPy's <c>module.batch(examples, num_threads=None, max_errors=None, return_failed_examples=False,
    /// provide_traceback=None, disable_progress_bar=False, timeout=120, straggler_limit=3)</c>: calls the module on every
    /// example's inputs through <see cref="Parallel"/> (at most <paramref name="numThreads"/> at once, default
    /// <see cref="DspySettings.NumThreads"/>) and returns the predictions in example order, with null for an example that
    /// failed. Once <paramref name="maxErrors"/> examples (default <see cref="DspySettings.MaxErrors"/>) have failed the rest
    /// are cancelled and <see cref="MaxErrorsExceededException"/> is thrown. Use <see cref="BatchWithFailuresAsync"/> for
    /// DSPy's <c>return_failed_examples=True</c>.
    /// </summary>
    public async Task<IReadOnlyList<Prediction?>> BatchAsync(IReadOnlyList<Example> examples, int? numThreads = null, int? maxErrors = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var result = await new Parallel(numThreads, maxErrors).RunAsync(examples.Select(e => (this, (object?)e)), cancellationToken)
            .ConfigureAwait(false);
        return result.Results;
    }

    /// <summary>
    /// DSPy's <c>module.batch(..., return_failed_examples=True)</c>: like <see cref="BatchAsync"/>, but also returns the
    /// failed examples and their exceptions. The other parameters are those of <see cref="Parallel"/>.
    /// </summary>
    public Task<ParallelResult<Prediction>> BatchWithFailuresAsync(IReadOnlyList<Example> examples, int? numThreads = null, int? maxErrors = null,
        bool? provideTraceback = null, double timeout = 120, int stragglerLimit = 3, TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var parallel = new Parallel(numThreads, maxErrors, returnFailedExamples: true, provideTraceback: provideTraceback, timeout: timeout,
            stragglerLimit: stragglerLimit, timeProvider: timeProvider);
        return parallel.RunAsync(examples.Select(e => (this, (object?)e)), cancellationToken);
    }
}
