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
    private IGrainTimer? _retry;
    private int _transientFailures;

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
