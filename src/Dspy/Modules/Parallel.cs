using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Parallel</c> (and the <c>ParallelExecutor</c> under it): runs <c>(module, input)</c> pairs, or any async
/// function over a list of items, with at most <see cref="NumThreads"/> running at once, and returns the results in input
/// order with null for an item that failed. Once <see cref="MaxErrors"/> items have failed the remaining work is cancelled
/// and <see cref="MaxErrorsExceededException"/> ("Execution cancelled due to errors or interruption. ...") is thrown.
/// </summary>
/// <remarks>
/// <para>Straggler handling: when at most <see cref="StragglerLimit"/> attempts are still pending and one of them has been
/// running for at least <see cref="Timeout"/> seconds (measured with <see cref="TimeProvider"/>, checked every second), a
/// duplicate attempt of that item is started (each attempt is duplicated at most once). The first attempt to succeed wins
/// and the others are cancelled through their <see cref="CancellationToken"/>; an item fails only when its last running
/// attempt fails.</para>
/// <para>Workers see the caller's settings context (<see cref="Settings.Context(Func{DspySettings, DspySettings})"/>
/// flows with the async work) but run as worker flows, which may not reconfigure the global settings. With
/// <see cref="NumThreads"/> = 1 the items run one after another in the calling flow, without straggler handling, as in DSPy.</para>
/// <para>The class is named like DSPy's; code that also imports <c>System.Threading.Tasks</c> outside the <c>Dspy</c>
/// namespace may need to qualify it (<c>Dspy.Parallel</c>).</para>
/// </remarks>
public sealed class Parallel
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Creates the executor. Null <paramref name="numThreads"/>/<paramref name="maxErrors"/>/<paramref name="provideTraceback"/> fall back to the settings at run time.</summary>
    /// <param name="numThreads">Maximum concurrent items (DSPy's default: <see cref="DspySettings.NumThreads"/>, 8).</param>
    /// <param name="maxErrors">Failures that cancel the run (default <see cref="DspySettings.MaxErrors"/>, 10).</param>
    /// <param name="accessExamples">An <see cref="Example"/> input is passed as its inputs; when false, as all its fields.</param>
    /// <param name="returnFailedExamples">Collect the failed inputs and their exceptions in the result.</param>
    /// <param name="provideTraceback">Log failures with the stack trace (default <see cref="DspySettings.ProvideTraceback"/>).</param>
    /// <param name="disableProgressBar">Accepted for parity; this port shows no progress bar.</param>
    /// <param name="timeout">Seconds after which a pending attempt counts as a straggler (0 or less disables resubmission).</param>
    /// <param name="stragglerLimit">Resubmission is considered only when at most this many attempts are pending.</param>
    /// <param name="timeProvider">The clock for straggler detection (tests pass a manual one); defaults to the system clock.</param>
    public Parallel(int? numThreads = null, int? maxErrors = null, bool accessExamples = true, bool returnFailedExamples = false,
        bool? provideTraceback = null, bool disableProgressBar = false, double timeout = 120, int stragglerLimit = 3, TimeProvider? timeProvider = null)
    {
        if (numThreads is < 1) throw new ArgumentOutOfRangeException(nameof(numThreads), numThreads, "num_threads must be at least 1.");
        NumThreads = numThreads;
        MaxErrors = maxErrors;
        AccessExamples = accessExamples;
        ReturnFailedExamples = returnFailedExamples;
        ProvideTraceback = provideTraceback;
        DisableProgressBar = disableProgressBar;
        Timeout = timeout;
        StragglerLimit = stragglerLimit;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Maximum concurrent items, or null for <see cref="DspySettings.NumThreads"/>.</summary>
    public int? NumThreads { get; }

    /// <summary>Failures that cancel the run, or null for <see cref="DspySettings.MaxErrors"/>.</summary>
    public int? MaxErrors { get; }

    /// <summary>Whether an <see cref="Example"/> is passed as its inputs (true) or as all its fields (false).</summary>
    public bool AccessExamples { get; }

    /// <summary>Whether the result lists the failed inputs and their exceptions.</summary>
    public bool ReturnFailedExamples { get; }

    /// <summary>Whether failures are logged with their stack trace, or null for <see cref="DspySettings.ProvideTraceback"/>.</summary>
    public bool? ProvideTraceback { get; }

    /// <summary>Accepted for parity with DSPy; no progress bar is shown.</summary>
    public bool DisableProgressBar { get; }

    /// <summary>Straggler timeout in seconds.</summary>
    public double Timeout { get; }

    /// <summary>Pending-attempt count at or below which stragglers are resubmitted.</summary>
    public int StragglerLimit { get; }

    /// <summary>The clock used for straggler detection.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// DSPy's <c>Parallel.forward(exec_pairs)</c>: calls each module with its input. An input may be an <see cref="Example"/>
    /// (its inputs, see <see cref="AccessExamples"/>), a string-keyed dictionary, or named values
    /// <c>(string Name, object? Value)[]</c>.
    /// </summary>
    /// <exception cref="MaxErrorsExceededException">At least <see cref="MaxErrors"/> items failed.</exception>
    public Task<ParallelResult<Prediction>> RunAsync(IEnumerable<(Module Module, object? Input)> execPairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(execPairs);
        var pairs = execPairs.ToList();
        return RunCoreAsync(pairs, (pair, token) => pair.Module.CallAsync(ToInputs(pair.Input), token), pair => pair.Input, cancellationToken);
    }

    /// <summary>
    /// DSPy's <c>ParallelExecutor.execute(function, data)</c>: runs <paramref name="function"/> on every item. The function
    /// gets a token that is cancelled when its attempt loses a straggler race or the run stops.
    /// </summary>
    /// <exception cref="MaxErrorsExceededException">At least <see cref="MaxErrors"/> items failed.</exception>
    public Task<ParallelResult<TResult>> RunAsync<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, CancellationToken, Task<TResult>> function,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(function);
        return RunCoreAsync(items, function, item => item, cancellationToken);
    }

    private async Task<ParallelResult<TResult>> RunCoreAsync<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, CancellationToken, Task<TResult>> function,
        Func<TItem, object?> describe, CancellationToken cancellationToken)
    {
        var settings = Settings.Current;
        var run = new ParallelRun<TItem, TResult>(items, function, NumThreads ?? settings.NumThreads, MaxErrors ?? settings.MaxErrors,
            ProvideTraceback ?? settings.ProvideTraceback, describe);
        if (run.NumThreads == 1) await run.RunSequentialAsync(cancellationToken).ConfigureAwait(false);
        else await run.RunConcurrentAsync(TimeProvider, Timeout, StragglerLimit, PollInterval, cancellationToken).ConfigureAwait(false);

        var failed = ReturnFailedExamples ? run.FailedIndices.Select(i => describe(items[i])).ToList() : [];
        var exceptions = ReturnFailedExamples ? run.FailedIndices.Select(i => run.Errors[i]!).ToList() : [];
        return new ParallelResult<TResult>(run.Results, failed, exceptions);
    }

    private Dictionary<string, object?> ToInputs(object? input)
    {
        switch (input)
        {
            case Example e:
                return AccessExamples ? e.Inputs().ToDictionary() : e.ToDictionary();
            case IReadOnlyDictionary<string, object?> d:
                return new Dictionary<string, object?>(d, StringComparer.Ordinal);
            case IEnumerable<(string Name, object? Value)> named:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (name, value) in named) dict[name] = value;
                return dict;
            case IDictionary raw:
                var converted = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in raw) converted[Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!] = entry.Value;
                return converted;
            default:
                throw new ArgumentException($"Invalid example type: {input?.GetType().Name ?? "None"}");
        }
    }

    internal static void LogFailure(object? item, Exception ex, bool provideTraceback)
    {
        var log = DspyLogging.CreateLogger(typeof(Parallel));
        if (provideTraceback) log.LogError(ex, "Error for {Item}: {Message}", item, ex.Message);
        else log.LogError("Error for {Item}: {Message}. Set `provide_traceback=True` for traceback.", item, ex.Message);
    }
}
