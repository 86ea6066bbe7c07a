namespace Dspy;

/// <summary>
/// The values of DSPy's <c>dspy.settings</c>, immutable; <see cref="Settings"/> holds the global one and scoped
/// overrides. Defaults are DSPy's.
/// </summary>
public sealed record DspySettings
{
    /// <summary>The default LM used by predictors without their own.</summary>
    public BaseLM? Lm { get; init; }

    /// <summary>The adapter; null means a new <c>ChatAdapter</c>.</summary>
    public Adapter? Adapter { get; init; }

    /// <summary>The trace that predictors append to; a context can swap in a fresh list.</summary>
    public TraceLog Trace { get; init; } = new();

    /// <summary>Default parallelism of <c>Evaluate</c> and <c>Parallel</c>.</summary>
    public int NumThreads { get; init; } = 8;

    /// <summary>Errors tolerated before <c>Evaluate</c>/<c>Parallel</c> give up.</summary>
    public int MaxErrors { get; init; } = 10;

    /// <summary>Worker limit of async helpers (DSPy's <c>async_max_workers</c>).</summary>
    public int AsyncMaxWorkers { get; init; } = 8;

    /// <summary>Turns off LM and module history.</summary>
    public bool DisableHistory { get; init; }

    /// <summary>Attach merged LM usage to every prediction.</summary>
    public bool TrackUsage { get; init; }

    /// <summary>The active usage tracker, if any. LMs add the usage of every non-cached call to it.</summary>
    public UsageTracker? UsageTracker { get; init; }

    /// <summary>
    /// The hard LM budget of this flow (an optimizer run), if any: every <see cref="LM"/> reserves each provider request
    /// from it first and is refused with <see cref="BudgetExceededException"/> when a limit would be crossed.
    /// </summary>
    public LMBudget? Budget { get; init; }

    /// <summary>
    /// A dry run's projection, if any: every <see cref="LM"/> answers from its simulated client and private cache instead
    /// of its provider and cache, so a run can be projected without spending (see <see cref="DryRun"/>).
    /// </summary>
    public LMProjection? Projection { get; init; }

    /// <summary>
    /// Where the fine-tuning jobs of this flow are remembered by training request (a run folder's, a cluster's), so a
    /// resumed compile re-attaches to the job it started instead of paying for another; null means the fine-tuned LM's disk
    /// cache folder (<see cref="FinetuneJobFolder.ForLm"/>). <see cref="BootstrapFinetuneOptions.JobStore"/> overrides it.
    /// </summary>
    public IFinetuneJobStore? FinetuneJobs { get; init; }

    /// <summary>Cap of each LM's and module's history (FIFO).</summary>
    public int MaxHistorySize { get; init; } = 10_000;

    /// <summary>Cap of the trace (FIFO).</summary>
    public int MaxTraceSize { get; init; } = 10_000;

    /// <summary>Warn when an input value does not match its field's type.</summary>
    public bool WarnOnTypeMismatch { get; init; } = true;

    /// <summary>Include tracebacks in error logs.</summary>
    public bool ProvideTraceback { get; init; }

    /// <summary>Let async tools be called synchronously (DSPy's <c>allow_tool_async_sync_conversion</c>).</summary>
    public bool AllowToolAsyncSyncConversion { get; init; }

    /// <summary>
    /// Not in DSPy: when true, <c>Predict</c> throws an <see cref="ArgumentException"/> naming the missing required
    /// inputs instead of only logging DSPy's warning. Hosts and the CLI turn it on so a typo in an input name is an error.
    /// </summary>
    public bool StrictInputs { get; init; }

    /// <summary>Callbacks run around module, LM, adapter, tool and evaluate calls (before each instance's own).</summary>
    public IReadOnlyList<IDspyCallback> Callbacks { get; init; } = [];

    /// <summary>
    /// The modules currently executing, outermost first (DSPy's <c>caller_modules</c>). Each module call adds itself;
    /// LMs append their history entries to every caller (see <c>Module.RecordHistoryForCallers</c>).
    /// </summary>
    public IReadOnlyList<Module> CallerModules { get; init; } = [];
}
