namespace Dspy.Grains;

/// <summary>
/// Submits compile runs to a cluster and follows them (what <c>dspy compile --cluster</c> and the in-process silo path
/// use): registers the examples with the run's dataset grain, starts the run grain, and polls its status and events.
/// </summary>
public sealed class CompileRunClient(IGrainFactory grains)
{
    private readonly IGrainFactory _grains = grains ?? throw new ArgumentNullException(nameof(grains));

    /// <summary>Registers the examples (dataset id = run id unless the config names one) and starts the run.</summary>
    /// <param name="runId">The run id (letters, digits, '-', '_', '.').</param>
    /// <param name="configure">Fills in the rest of the config; TrainIds, ValIds and DatasetId are set from the examples.</param>
    public async Task<CompileRunStatus> SubmitAsync(string runId, ProgramSpec program, IReadOnlyList<Example> trainset, IReadOnlyList<Example>? valset,
        string metricName, string optimizer, Func<CompileRunConfig, CompileRunConfig>? configure = null)
    {
        GrainKeys.CheckRunId(runId);
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(trainset);
        var train = trainset.Select(DatasetExample.From).ToList();
        var val = (valset ?? []).Select(DatasetExample.From).ToList();
        var config = new CompileRunConfig
        {
            Program = program, DatasetId = runId, TrainIds = train.Select(e => e.Id).ToList(), ValIds = val.Select(e => e.Id).ToList(),
            MetricName = metricName, Optimizer = optimizer,
        };
        config = configure?.Invoke(config) ?? config;
        config.Validate();
        await _grains.GetGrain<IDatasetGrain>(config.DatasetId).AddAsync(train.Concat(val).DistinctBy(e => e.Id).ToList());
        return await _grains.GetGrain<ICompileRunGrain>(runId).StartAsync(config);
    }

    /// <summary>
    /// Polls the run until it is no longer running, passing each new progress event to <paramref name="onEvent"/>;
    /// returns the final status.
    /// </summary>
    public Task<CompileRunStatus> WaitAsync(string runId, Action<RunProgressEvent>? onEvent = null, TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default) =>
        WaitAsync(runId, onEvent is null ? null : (e, _) => onEvent(e), pollInterval, cancellationToken);

    /// <summary>
    /// Polls the run until it is no longer running, passing each new progress event to <paramref name="onEvent"/> with the
    /// status read just after it (so its <see cref="CompileRunStatus.LmUsage"/> includes every call made before the event);
    /// returns the final status.
    /// </summary>
    public async Task<CompileRunStatus> WaitAsync(string runId, Action<RunProgressEvent, CompileRunStatus>? onEvent, TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        var run = _grains.GetGrain<ICompileRunGrain>(runId);
        var next = 0;
        while (true)
        {
            try
            {
                var events = await run.GetEventsAsync(next);
                var status = await run.GetStatusAsync();
                // The run may have recorded its last events between the two reads.
                if (status.State != CompileRunState.Running) events = [.. events, .. await run.GetEventsAsync(events.Count > 0 ? events[^1].Index + 1 : next)];
                foreach (var e in events)
                {
                    onEvent?.Invoke(e, status);
                    next = e.Index + 1;
                }
                if (status.State != CompileRunState.Running) return status;
            }
            catch (Exception ex) when (ex is SiloUnavailableException or TimeoutException or OrleansMessageRejectionException)
            {
                // The run's silo went away; the next poll reaches the run on another silo, where it resumes.
            }
            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
