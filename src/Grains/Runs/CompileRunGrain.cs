using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Dspy.Grains;

/// <summary>
/// The compile-run grain (see <see cref="ICompileRunGrain"/>). Reentrant so status and event reads interleave with the
/// long-running optimization, which runs in this activation and evaluates through a <see cref="ClusterProgramEvaluator"/>.
/// A run that is Running when the grain activates (after a silo failure, woken by its reminder or any call) resumes:
/// the same seed replays the same evaluations, which the shards serve from their stored cells.
/// </summary>
[GrainType("dspy-compile-run")]
[Reentrant]
public sealed partial class CompileRunGrain(
    [PersistentState("run", GrainStorageNames.Runs)] IPersistentState<CompileRunRecord> state,
    SiloLanguageModel silo,
    ILocalSiloDetails siloDetails,
    DspyGrainsOptions options,
    IHostApplicationLifetime lifetime,
    ILogger<CompileRunGrain> logger) : Grain, ICompileRunGrain, IRemindable, IDisposable
{
    private const string ResumeReminder = "resume";
    private const int MaxEvents = 500;
    private Task? _running;
    private CancellationTokenSource? _cancel;
    private Task _writing = Task.CompletedTask;
    private bool _dirty;
    private IGrainTimer? _retry;
    private int _transientFailures;
    private bool _stateWriteFailed;
    private bool _ending;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.State == CompileRunState.Running && state.State.Config is not null)
        {
            var runId = this.GetPrimaryKeyString();
            var attempt = state.State.Attempts + 1;
            LogResuming(logger, runId, attempt);
            if (await LoadConfigAsync() is not null) Launch(resumed: true);
        }
        await LoadResultAsync();
    }

    /// <inheritdoc/>
    public async Task<CompileRunStatus> StartAsync(CompileRunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        GrainKeys.CheckRunId(this.GetPrimaryKeyString());
        // Built once before anything is stored, so a setting the optimizer refuses fails the call and changes nothing.
        OptimizerCatalog.Create(config, Metrics.Get(config.MetricName), silo);
        if (state.State.Config is not null)
        {
            if (!await IsStartedWithAsync(config)) throw new InvalidOperationException($"Run '{this.GetPrimaryKeyString()}' was already started with another configuration.");
            _config ??= config;
            if (state.State.State == CompileRunState.Running && _running is null) Launch(resumed: true);
            return Status();
        }
        await StoreConfigAsync(config);
        state.State.State = CompileRunState.Running;
        state.State.Attempts = 1;
        await state.WriteStateAsync();
        // The reminder outlives this activation and silo: it reactivates the run so it resumes after a failure.
        await this.RegisterOrUpdateReminder(ResumeReminder, options.ResumeReminderPeriod, options.ResumeReminderPeriod);
        Launch(resumed: false);
        return Status();
    }

    /// <inheritdoc/>
    public Task<string> SiloAsync() => Task.FromResult(siloDetails.SiloAddress.ToString());

    /// <inheritdoc/>
    public void Dispose()
    {
        _cancel?.Dispose();
        _retry?.Dispose();
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A run still going when its activation is collected is stopped here and resumed by its reminder.
        _cancel?.Cancel();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<CompileRunStatus> GetStatusAsync()
    {
        if (state.State.State != CompileRunState.Running) return Status();
        // While running, the counts grow on every silo: read them where they are kept.
        try
        {
            return Status() with { LmUsage = await UsageAsync() };
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            return Status();
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<RunProgressEvent>> GetEventsAsync(int fromIndex)
    {
        var events = state.State.Events;
        var first = events.Count == 0 ? 0 : events[0].Index;
        return Task.FromResult<IReadOnlyList<RunProgressEvent>>(events.Where(e => e.Index >= Math.Max(fromIndex, first)).ToList());
    }

    /// <inheritdoc/>
    public async Task CancelAsync()
    {
        if (state.State.State != CompileRunState.Running) return;
        if (_cancel is not null) await _cancel.CancelAsync();
        state.State.LmUsage = await TryUsageAsync() ?? state.State.LmUsage;
        await EndAsync(CompileRunState.Cancelled, null);
    }

    /// <inheritdoc/>
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already resumed a running run; a finished run no longer needs its reminder.
        ResumeIfIdle();
        return state.State.State == CompileRunState.Running ? Task.CompletedTask : StopReminderAsync();
    }

    private void ScheduleRetry()
    {
        _transientFailures++;
        var delay = TimeSpan.FromSeconds(Math.Min(2 * _transientFailures, options.ResumeReminderPeriod.TotalSeconds));
        _retry?.Dispose();
        _retry = this.RegisterGrainTimer(static (grain, _) =>
        {
            grain.ResumeIfIdle();
            return Task.CompletedTask;
        }, this, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    private void ResumeIfIdle()
    {
        if (state.State.State == CompileRunState.Running && (_running is null || _running.IsCompleted)) Launch(resumed: true);
    }

    private void Launch(bool resumed)
    {
        if (resumed)
        {
            state.State.Attempts++;
            AddEvent(new RunProgressEvent { Kind = "resumed", Message = $"attempt {state.State.Attempts}" });
        }
        _cancel?.Dispose();
        // Stopped with its silo too: a silo that stops without deactivating its grains (killed in-process, or its stop
        // timed out) must not let the run go on and record, from a runtime being torn down, a failure that is not the run's.
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        _running = RunAsync(_config!, _cancel.Token);
    }

    private async Task RunAsync(CompileRunConfig config, CancellationToken cancellationToken)
    {
        var runId = this.GetPrimaryKeyString();
        try
        {
            var result = await CompileAsync(runId, config, cancellationToken);
            var resultBlob = await OffloadResultAsync(result.StateJson); // before the state names it
            var usage = await UsageAsync();
            if (state.State.State != CompileRunState.Running || _ending) return; // cancelled meanwhile
            state.State.LmUsage = usage;
            SetResult(result.StateJson, resultBlob);
            state.State.OptimizedScore = result.Score;
            await EndAsync(CompileRunState.Completed, new RunProgressEvent { Kind = "completed", Score = result.Score, Message = "optimized program stored" });
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled (CancelAsync recorded the state), deactivated or stopped with its silo (the reminder resumes it):
            // whatever the interrupted work threw, it is not a failure of the run.
            if (lifetime.ApplicationStopping.IsCancellationRequested) LogStoppedWithSilo(logger, runId);
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            // A silo or the storage went away mid-run: stay Running and resume.
            LogTransientFailure(logger, ex, runId);
            if (_stateWriteFailed)
            {
                // This activation's own state may be out of step with storage (a write that failed may still have
                // landed, leaving its etag stale): a fresh activation reads it again, woken by the reminder.
                DeactivateOnIdle();
                return;
            }
            // Otherwise this activation lives on and retries itself after a backoff; the reminder only covers the loss of
            // the activation (and may itself be lost with a silo when reminders are kept in memory).
            await WriteAsync();
            ScheduleRetry();
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, runId);
            state.State.LmUsage = await TryUsageAsync() ?? state.State.LmUsage;
            state.State.Error = ex.Message;
            try
            {
                await EndAsync(CompileRunState.Failed, new RunProgressEvent { Kind = "failed", Message = ex.Message });
            }
            catch (Exception storage) when (IsTransient(storage))
            {
                // Not recorded: a fresh activation reads the stored state again and, woken by the reminder, replays the run.
                LogTransientFailure(logger, storage, runId);
                DeactivateOnIdle();
            }
        }
    }

    // Ends the run in a terminal state, which the status reports only once it is stored: while its write is in flight the
    // status still says Running (the grain is reentrant, a status read can come in meanwhile), and if the write fails the
    // run is Running again (its reminder, or the caller's retry, ends it once storage answers) and the error propagates.
    private async Task EndAsync(CompileRunState end, RunProgressEvent? record)
    {
        _ending = true;
        state.State.State = end;
        if (record is not null) AddEvent(record);
        try
        {
            await WriteAsync();
        }
        catch
        {
            state.State.State = CompileRunState.Running;
            state.State.Error = null;
            throw;
        }
        finally
        {
            _ending = false;
        }
        await StopReminderAsync();
    }

    private async Task<(string StateJson, double Score)> CompileAsync(string runId, CompileRunConfig config, CancellationToken cancellationToken)
    {
        using var tenant = TenantContext.Use(config.Tenant); // flows to every shard and LM call of the run (tenant quotas)
        var metric = Metrics.Get(config.MetricName);
        var dataset = GrainFactory.GetGrain<IDatasetGrain>(config.DatasetId);
        var train = (await dataset.GetAsync(config.TrainIds)).Select(e => e.ToExample()).ToList();
        var val = config.ValIds.Count == 0 ? train : (await dataset.GetAsync(config.ValIds)).Select(e => e.ToExample()).ToList();
        var student = config.InitialStateJson is null ? config.Program.Build() : config.Program.Build(config.InitialStateJson);
        IProgramEvaluator evaluator = new ClusterProgramEvaluator(GrainFactory, new ClusterProgramEvaluatorOptions
        {
            RunId = runId, Program = config.Program, DatasetId = config.DatasetId, ShardSize = config.ShardSize,
        });
        if (options.RunEvaluator is { } wrap) evaluator = wrap(runId, evaluator);

        // A fine-tuning job is remembered outside this activation, so a run resumed on another silo re-attaches to it.
        using var scope = Settings.Context(s => s with { Lm = silo.Lm, FinetuneJobs = options.FinetuneJobs ?? new ClusterFinetuneJobStore(GrainFactory) });
        var holder = siloDetails.SiloAddress.ToString();
        // Every phase's provider calls are counted by the run's budget grain, on whichever silo they are made (the shards
        // get the phase with their work); only the compile phase is charged to the run's limits, as in-process.
        ProgramEvaluation baseline;
        using (RunBudgetScope.CountPhase(GrainFactory, runId, RunPhases.Baseline, holder, logger))
        {
            baseline = await evaluator.EvaluateAsync(new ProgramEvaluationRequest { Program = student, Examples = val, Metric = metric, Phase = "baseline" }, cancellationToken);
        }
        if (state.State.BaselineScore is null)
        {
            state.State.BaselineScore = baseline.Score;
            AddEvent(new RunProgressEvent { Kind = "baseline", Score = baseline.Score });
        }
        // GEPA keeps its Pareto front in the run's persisted Pareto-front grain (resumable, visible); others run as built.
        var optimizer = ParetoFrontGrainStore.Attach(OptimizerCatalog.Create(config, metric, silo), GrainFactory, runId);
        var progress = new InlineProgress(e => AddEvent(new RunProgressEvent
        {
            Kind = e.Kind.ToString(), Message = e.Message, Score = e.Score, BestScore = e.BestScore, Trial = e.Trial, ParetoCoverage = e.ParetoCoverage,
            Optimizer = e.Optimizer, TotalTrials = e.TotalTrials,
        }));
        var optimized = await RunBudgetScope.OptimizeAsync(GrainFactory, runId, config.Budget, holder, logger,
            () => optimizer.CompileAsync(student, train, new CompileOptions { Evaluator = evaluator, Progress = progress }, cancellationToken),
            (used, e) => { state.State.Budget = used; AddEvent(e); });
        ProgramEvaluation final;
        using (RunBudgetScope.CountPhase(GrainFactory, runId, RunPhases.Final, holder, logger))
        {
            final = await evaluator.EvaluateAsync(new ProgramEvaluationRequest { Program = optimized, Examples = val, Metric = metric, Phase = "final" }, cancellationToken);
        }
        return (PythonJson.Dumps(optimized.DumpState()), final.Score);
    }

    private CompileRunStatus Status() => new()
    {
        State = _ending ? CompileRunState.Running : state.State.State,
        Attempts = state.State.Attempts,
        EventCount = state.State.NextEventIndex,
        BaselineScore = state.State.BaselineScore,
        OptimizedScore = state.State.OptimizedScore,
        ResultStateJson = state.State.ResultStateJson ?? _result,
        Error = state.State.Error ?? _resultProblem,
        Budget = state.State.Budget,
        LmUsage = state.State.LmUsage,
        LmModel = silo.Lm.Model,
    };

    private async Task<Dictionary<string, RunPhaseUsage>> UsageAsync() =>
        new(await GrainFactory.GetGrain<IRunBudgetGrain>(this.GetPrimaryKeyString()).GetUsageAsync(), StringComparer.Ordinal);

    // A run that failed or was cancelled keeps the counts it can still read.
    private async Task<Dictionary<string, RunPhaseUsage>?> TryUsageAsync()
    {
        try
        {
            return await UsageAsync();
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            return null;
        }
    }

    private void AddEvent(RunProgressEvent e)
    {
        // A resumed run replays its optimizer; the replayed events are kept (marked by the "resumed" event before them).
        state.State.Events.Add(e with { Index = state.State.NextEventIndex++ });
        TrimEvents();
        _dirty = true;
        if (_writing.IsCompleted) _writing = WriteLoopAsync();
    }

    private async Task WriteAsync()
    {
        _dirty = true;
        try
        {
            await _writing;
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            // That write's changes are still in the state: the write below carries them.
            _dirty = true;
        }
        if (_dirty) await WriteLoopAsync();
    }

    // One WriteStateAsync in flight at a time (the grain is reentrant); later changes ride on the next write.
    private async Task WriteLoopAsync()
    {
        while (_dirty)
        {
            _dirty = false;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                _dirty = true;
                _stateWriteFailed = true;
                throw;
            }
        }
    }

    private async Task StopReminderAsync()
    {
        var reminder = await this.GetReminder(ResumeReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    private static bool IsTransient(Exception ex) => ClusterEvaluationException.IsTransient(ex);

    private static bool SameConfig(CompileRunConfig a, CompileRunConfig b) =>
        a with { TrainIds = [], ValIds = [] } == b with { TrainIds = [], ValIds = [] }
        && a.TrainIds.SequenceEqual(b.TrainIds) && a.ValIds.SequenceEqual(b.ValIds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming compile run {RunId} (attempt {Attempt})")]
    private static partial void LogResuming(ILogger logger, string runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compile run {RunId} hit a transient failure; it stays running and resumes")]
    private static partial void LogTransientFailure(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compile run {RunId} stopped with its silo; its reminder resumes it on a live one")]
    private static partial void LogStoppedWithSilo(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Compile run {RunId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId);

    // Events reach the grain's state on the grain's scheduler, in the order the optimizer reports them: inline when
    // reported from the run itself, otherwise queued to the activation's scheduler (which runs them in order).
    private sealed class InlineProgress(Action<OptimizerEvent> handler) : IProgress<OptimizerEvent>
    {
        private readonly TaskScheduler _scheduler = TaskScheduler.Current;

        public void Report(OptimizerEvent value)
        {
            if (TaskScheduler.Current == _scheduler) handler(value);
            else _ = Task.Factory.StartNew(() => handler(value), CancellationToken.None, TaskCreationOptions.None, _scheduler);
        }
    }
}

/// <summary>The persisted state of a compile run.</summary>
public sealed class CompileRunRecord
{
    /// <summary>The configuration, once started; without its id lists and starting program when it is in <see cref="ConfigBlob"/>.</summary>
    public CompileRunConfig? Config { get; set; }

    /// <summary>The blob holding the whole configuration when it is larger than the inline limit (Azure mode), else null.</summary>
    public string? ConfigBlob { get; set; }

    /// <summary>The lifecycle state.</summary>
    public CompileRunState State { get; set; }

    /// <summary>Starts on a silo so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The latest events (at most 500, and at most 128 KiB of them).</summary>
    public List<RunProgressEvent> Events { get; set; } = [];

    /// <summary>The index the next event gets.</summary>
    public int NextEventIndex { get; set; }

    /// <summary>The unoptimized program's score.</summary>
    public double? BaselineScore { get; set; }

    /// <summary>The optimized program's score.</summary>
    public double? OptimizedScore { get; set; }

    /// <summary>The optimized program state, unless it is in <see cref="ResultStateBlob"/>.</summary>
    public string? ResultStateJson { get; set; }

    /// <summary>The blob holding the optimized program state when it is larger than the inline limit (Azure mode), else null.</summary>
    public string? ResultStateBlob { get; set; }

    /// <summary>The error of a failed run.</summary>
    public string? Error { get; set; }

    /// <summary>The run's LM budget after the optimization, when it has limits.</summary>
    public RunBudgetSnapshot? Budget { get; set; }

    /// <summary>The provider calls of each phase, read from the run's budget grain when the run ended.</summary>
    public Dictionary<string, RunPhaseUsage>? LmUsage { get; set; }
}
