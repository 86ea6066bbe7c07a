using Microsoft.Extensions.Logging;

namespace Dspy;

public abstract partial class Module
{
    /// <summary>
    /// DSPy's <c>module.batch(examples, num_threads=None, max_errors=None)</c>: calls the module on every example's inputs
    /// in parallel (at most <paramref name="numThreads"/> at once, default <see cref="DspySettings.NumThreads"/>) and returns
    /// the predictions in example order, with null for an example that failed. Once <paramref name="maxErrors"/> examples
    /// (default <see cref="DspySettings.MaxErrors"/>) have failed the rest are cancelled and
    /// <see cref="MaxErrorsExceededException"/> is thrown.
    /// </summary>
    public async Task<IReadOnlyList<Prediction?>> BatchAsync(IReadOnlyList<Example> examples, int? numThreads = null, int? maxErrors = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var settings = Settings.Current;
        var results = new Prediction?[examples.Count];
        await ParallelRunner.RunAsync(examples.Count, numThreads ?? settings.NumThreads, maxErrors ?? settings.MaxErrors,
            (i, token) => CallAsync(examples[i].Inputs().ToDictionary(), token),
            (i, prediction) => results[i] = prediction,
            (i, ex) => DspyLogging.CreateLogger(typeof(Module)).LogError(ex, "Error for {Example}: {Message}", examples[i], ex.Message),
            cancellationToken);
        return results;
    }
}
