using System.Collections.Concurrent;

namespace Dspy.Grains;

/// <summary>
/// The cluster's <see cref="IProgramEvaluator"/>: stores the program state in a candidate grain, registers the examples
/// with the run's dataset grain once, fans the examples out in slices to keyed shard grains (which placement spreads
/// over the silos), and gathers the cells back in example order. Optimizers take it through
/// <c>CompileOptions.Evaluator</c> and run unchanged.
/// </summary>
/// <remarks>
/// The metric travels by name (the silos look it up in their <see cref="Metrics"/> registry), the program as
/// <c>Module.DumpState</c> JSON over <see cref="ClusterProgramEvaluatorOptions.Program"/>; a program an optimizer put
/// inside a registered wrapper (KNNFewShot's per-call program, see <see cref="ProgramWrappers"/>) travels with the
/// wrapper's settings and the ids of the examples it carries. Shards persist their cells,
/// so asking for the same evaluation again (a resumed run with the same seed) costs no LM call. Unlike the in-process
/// loop, a request with <c>MaxErrors</c> runs every example and then throws if the failures reached the limit.
/// </remarks>
public sealed class ClusterProgramEvaluator : IProgramEvaluator
{
    private readonly IGrainFactory _grains;
    private readonly ClusterProgramEvaluatorOptions _options;
    private readonly ConcurrentDictionary<string, bool> _registeredExamples = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _storedCandidates = new(StringComparer.Ordinal);

    /// <summary>Creates the evaluator.</summary>
    public ClusterProgramEvaluator(IGrainFactory grains, ClusterProgramEvaluatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _grains = grains;
        _options = options;
    }

    /// <summary>The dataset grain's id.</summary>
    public string DatasetId => _options.DatasetId ?? _options.RunId;

    /// <summary>Shard grains called so far (one per slice; for diagnostics and tests).</summary>
    public ConcurrentBag<string> ShardKeys { get; } = [];

    /// <inheritdoc/>
    public async Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Program, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Examples, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Metric, nameof(request));
        if (request.NumThreads is < 1) throw new ArgumentOutOfRangeException(nameof(request), "NumThreads must be at least 1.");
        if (request.MaxErrors is < 1) throw new ArgumentOutOfRangeException(nameof(request), "MaxErrors must be at least 1.");
        if (!Metrics.TryGet(request.Metric.Name, out _))
        {
            throw new ArgumentException(
                $"Metric '{request.Metric.Name}' is not registered; the cluster looks metrics up by name, so register it with Metrics.Register on every silo and client.",
                nameof(request));
        }
        if (request.Examples.Count == 0) return new ProgramEvaluation([]);
        // The spec's module itself, or inside a registered wrapper (KNNFewShot's per-call program) whose examples travel as ids.
        var (candidate, carried) = ProgramWrappers.Describe(_options.Program, request.Program, DatasetId);
        var hash = candidate.Hash;
        var encoded = request.Examples.Select(DatasetExample.From).ToList();
        List<DatasetExample> registered = [.. encoded, .. carried];
        await Task.WhenAll(StoreCandidateAsync(candidate, cancellationToken), RegisterExamplesAsync(registered, cancellationToken));

        var settings = new EvaluationSettings
        {
            MetricName = request.Metric.Name,
            CaptureTraces = request.CaptureTraces,
            ExcludeExampleFromDemos = request.ExcludeExampleFromDemos,
            FailureScore = request.FailureScore,
            LmOverridesJson = request.LmOverrides is { Count: > 0 } o
                ? PythonJson.Dumps(ValueModel.FromClr(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)))
                : null,
            NumThreads = request.NumThreads,
        };
        var slices = encoded.Select((e, i) => (e.Id, Index: i)).Chunk(_options.ShardSize).ToList();
        var results = await Task.WhenAll(slices.Select(slice =>
        {
            // The run's phase (its calls are counted in it) and, when charged, its limits travel with the work.
            var work = RunBudgetScope.ForRun(new ShardWork
            {
                RunId = _options.RunId, CandidateHash = hash, DatasetId = DatasetId, ExampleIds = slice.Select(s => s.Id).ToList(), Settings = settings,
            });
            var key = GrainKeys.Shard(work.RunId, hash, work.ShardId);
            ShardKeys.Add(key);
            return CallShardAsync(key, work, candidate, registered, cancellationToken);
        }));

        // Gather in example order, whatever order the shards finished in (invariant 1).
        var evaluations = new ExampleEvaluation[encoded.Count];
        for (var s = 0; s < slices.Count; s++)
        {
            for (var j = 0; j < slices[s].Length; j++)
            {
                var index = slices[s][j].Index;
                evaluations[index] = CellCodec.Decode(index, request.Examples[index], results[s][j]);
            }
        }
        var scores = encoded.Zip(evaluations).Where(p => p.Second.Succeeded).Select(p => new ExampleScore(p.First.Id, p.Second.Score))
            .DistinctBy(s => s.ExampleId).ToList();
        await RetryTransientAsync($"Candidate {hash}", () => _grains.GetGrain<IProgramCandidateGrain>(GrainKeys.Candidate(_options.RunId, hash)).RecordScoresAsync(scores),
            cancellationToken);

        var errors = evaluations.Where(e => !e.Succeeded).Select(e => e.Error!).ToList();
        if (request.MaxErrors is { } max && errors.Count >= max) throw new MaxErrorsExceededException(max, errors);
        return new ProgramEvaluation(evaluations);
    }

    // A shard on a silo that died fails with a transient error; the retry activates it on a live silo, where it reads
    // the cells already stored and evaluates the rest.
    private async Task<IReadOnlyList<CellResult>> CallShardAsync(string key, ShardWork work, CandidateProgram candidate,
        List<DatasetExample> examples, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _grains.GetGrain<IEvaluationShardGrain>(key).EvaluateAsync(work, cancellationToken);
            }
            catch (RunBudgetExhaustedException ex)
            {
                // The run's budget refused a call on the shard's silo: the optimizer stops as it does in-process.
                throw ex.ToBudgetExceeded();
            }
            catch (ShardInputMissingException) when (attempt < _options.ShardAttempts && !cancellationToken.IsCancellationRequested)
            {
                // The candidate's or dataset's state was lost (memory storage on a dead silo): store them again (the examples
                // evaluated and those the candidate's wrapper carries), and send the slice's examples with the retry, since
                // while the directory recovers the shard may still reach another (empty) activation of the dataset than the
                // one just refilled.
                await RetryTransientAsync($"Candidate {candidate.Hash}",
                    () => _grains.GetGrain<IProgramCandidateGrain>(GrainKeys.Candidate(_options.RunId, candidate.Hash)).SetAsync(candidate), cancellationToken);
                await RetryTransientAsync($"Dataset {DatasetId}",
                    () => _grains.GetGrain<IDatasetGrain>(DatasetId).AddAsync(examples.DistinctBy(e => e.Id).ToList()), cancellationToken);
                var byId = examples.DistinctBy(e => e.Id).ToDictionary(e => e.Id, StringComparer.Ordinal);
                work = work with { Examples = work.ExampleIds.Distinct().Select(id => byId[id]).ToList() };
            }
            catch (Exception ex) when (ClusterEvaluationException.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.ShardAttempts)
                {
                    throw new ClusterEvaluationException($"Shard {key} failed {attempt} times: {ex.Message}", ex, transient: true);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken);
            }
        }
    }

    private async Task StoreCandidateAsync(CandidateProgram candidate, CancellationToken cancellationToken)
    {
        if (_storedCandidates.ContainsKey(candidate.Hash)) return;
        await RetryTransientAsync($"Candidate {candidate.Hash}",
            () => _grains.GetGrain<IProgramCandidateGrain>(GrainKeys.Candidate(_options.RunId, candidate.Hash)).SetAsync(candidate), cancellationToken);
        _storedCandidates[candidate.Hash] = true;
    }

    private async Task RegisterExamplesAsync(List<DatasetExample> encoded, CancellationToken cancellationToken)
    {
        var unknown = encoded.Where(e => !_registeredExamples.ContainsKey(e.Id)).DistinctBy(e => e.Id).ToList();
        if (unknown.Count == 0) return;
        await RetryTransientAsync($"Dataset {DatasetId}", () => _grains.GetGrain<IDatasetGrain>(DatasetId).AddAsync(unknown), cancellationToken);
        foreach (var e in unknown) _registeredExamples[e.Id] = true;
    }

    // The candidate and dataset grains are as exposed to a silo failure as the shards (their activation, or the
    // directory entry pointing at it, may be on the dead silo): the calls are idempotent, so they are retried the same way
    // rather than failing the whole evaluation (and with it the optimizer's run) on the first lost message.
    private async Task RetryTransientAsync(string what, Func<Task> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception ex) when (ClusterEvaluationException.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.ShardAttempts)
                {
                    throw new ClusterEvaluationException($"{what} failed {attempt} times: {ex.Message}", ex, transient: true);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken);
            }
        }
    }
}
