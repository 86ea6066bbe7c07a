using Orleans.Placement;
using Orleans.Runtime;

namespace Dspy.Grains;

/// <summary>
/// The evaluation shard grain (see <see cref="IEvaluationShardGrain"/>). Cells it has evaluated are kept in persisted
/// state (<see cref="ShardCells"/>: in blob segments beyond the inline limit in Azure mode) and written as each example
/// finishes (one write in flight at a time), so a crash loses at most the examples that were running. The program runs on
/// the thread pool, off the grain's scheduler, through the silo's LM; predictors that carry their own LM
/// (a fine-tuned model) through the silo's pipeline for that model (<see cref="SiloLanguageModel.Bind"/>).
/// </summary>
[GrainType("dspy-eval-shard")]
[RandomPlacement]
public sealed class EvaluationShardGrain(
    [PersistentState("cells", GrainStorageNames.Cells)] IPersistentState<ShardState> state,
    SiloLanguageModel silo,
    ILocalSiloDetails siloDetails) : Grain, IEvaluationShardGrain
{
    private readonly Dictionary<string, CellResult> _failed = new(StringComparer.Ordinal);
    private Module? _program;
    private int _evaluated;
    private ShardCells? _cells;

    private ShardCells Cells => _cells ??= new ShardCells(state, StateBlobs.For(ServiceProvider, $"Shard '{this.GetPrimaryKeyString()}'"),
        this.GetPrimaryKeyString(), silo);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<CellResult>> EvaluateAsync(ShardWork work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var expectedKey = GrainKeys.Shard(work.RunId, work.CandidateHash, work.ShardId);
        if (this.GetPrimaryKeyString() != expectedKey)
        {
            throw new ArgumentException($"Shard '{this.GetPrimaryKeyString()}' was sent work for '{expectedKey}'.", nameof(work));
        }
        await Cells.LoadAsync();
        var todo = work.ExampleIds.Distinct().Where(id => !Cells.TryGet(id, out _)).ToList();
        if (todo.Count > 0)
        {
            var metric = Metrics.TryGet(work.Settings.MetricName, out var m) && m is not null
                ? m
                : throw new ArgumentException($"Metric '{work.Settings.MetricName}' is not registered on this silo; register it with Metrics.Register on every silo.");
            var program = _program ??= await LoadProgramAsync(work);
            var examples = await ReadExamplesAsync(work, todo);
            var overrides = work.Settings.LmOverridesJson is { } json
                ? ValueModel.ParseJson(json) as Dictionary<string, object?> ?? throw new ArgumentException("LM overrides must be a JSON object.")
                : null;
            using var gate = new SemaphoreSlim(work.Settings.NumThreads ?? silo.NumThreads);
            // A compile run's calls are counted in its phase by its budget grain; under limits they reserve there, and a refusal
            // goes back to the run's optimizer.
            using var budget = RunBudgetScope.InstallForShard(GrainFactory, work, siloDetails.SiloAddress.ToString());
            try
            {
                await Task.WhenAll(examples.Select(e => RunCellAsync(e, program, metric, overrides, work.Settings, gate, cancellationToken)));
            }
            catch (BudgetExceededException ex)
            {
                throw RunBudgetExhaustedException.From(ex);
            }
            await Cells.FlushAsync();
        }
        return work.ExampleIds.Select(id => Cells.TryGet(id, out var cell) ? cell : _failed[id]).ToList();
    }

    private async Task RunCellAsync(DatasetExample encoded, Module program, Metric metric, Dictionary<string, object?>? overrides,
        EvaluationSettings settings, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        ExampleEvaluation result;
        try
        {
            var example = encoded.ToExample();
            var request = new ProgramEvaluationRequest
            {
                Program = program,
                Examples = [example],
                Metric = metric,
                CaptureTraces = settings.CaptureTraces,
                ExcludeExampleFromDemos = settings.ExcludeExampleFromDemos,
                FailureScore = settings.FailureScore,
                LmOverrides = overrides,
                NumThreads = 1,
            };
            var lm = silo.Lm;
            // Off the grain scheduler: the program and the LM pipeline are ordinary async code with CPU work in it.
            var evaluation = await Task.Run(async () =>
            {
                using var scope = Settings.Context(s => s with { Lm = lm });
                return await LocalProgramEvaluator.Instance.EvaluateAsync(request, cancellationToken);
            }, cancellationToken);
            result = evaluation.Results[0];
        }
        finally
        {
            gate.Release();
        }
        silo.OnCellEvaluated(this.GetPrimaryKeyString() + "|" + encoded.Id);
        _evaluated++;
        var cell = CellCodec.Encode(encoded.Id, result);
        if (result.Succeeded)
        {
            Cells.Add(cell);
        }
        else
        {
            // Failures are returned but not stored, so a retry (e.g. after an endpoint outage) runs them again.
            _failed[encoded.Id] = cell;
        }
    }

    // From the dataset grain, or from the work itself when the evaluator sent the examples (a retry after they were missing).
    private async Task<IReadOnlyList<DatasetExample>> ReadExamplesAsync(ShardWork work, List<string> todo)
    {
        if (work.Examples is { } sent)
        {
            var byId = new Dictionary<string, DatasetExample>(StringComparer.Ordinal);
            foreach (var e in sent)
            {
                if (DatasetExample.Hash(e.Json) != e.Id) throw new ArgumentException($"Example id {e.Id} is not the hash of its JSON.", nameof(work));
                byId[e.Id] = e;
            }
            return todo.Select(id => byId.TryGetValue(id, out var e) ? e : throw new ArgumentException($"The work's examples lack {id}.", nameof(work))).ToList();
        }
        return await ReadDatasetAsync(work.DatasetId, todo);
    }

    // The candidate's module, inside its wrapper when it has one (KNNFewShot's per-call program, whose trainset comes from
    // the dataset grain and whose bootstrapping runs here with this silo's parallelism).
    private async Task<Module> LoadProgramAsync(ShardWork work)
    {
        var candidate = await GrainFactory.GetGrain<IProgramCandidateGrain>(GrainKeys.Candidate(work.RunId, work.CandidateHash)).GetAsync()
            ?? throw new ShardInputMissingException($"Candidate {work.CandidateHash} of run '{work.RunId}' is not stored.");
        // A predictor with its own LM in the state (a student's LM, a fine-tuned model) runs through this silo's pipeline for
        // that model, never the LM object the state would build (no endpoint, no key, no gateway, cache or quota).
        return silo.Bind(await ProgramWrappers.BuildAsync(candidate, ReadDatasetAsync, work.Settings.NumThreads ?? silo.NumThreads));
    }

    private async Task<IReadOnlyList<DatasetExample>> ReadDatasetAsync(string datasetId, IReadOnlyList<string> ids)
    {
        try
        {
            return await GrainFactory.GetGrain<IDatasetGrain>(datasetId).GetAsync(ids);
        }
        catch (KeyNotFoundException ex)
        {
            throw new ShardInputMissingException(ex.Message);
        }
    }

    /// <inheritdoc/>
    public Task<int> EvaluatedCountAsync() => Task.FromResult(_evaluated);

    /// <inheritdoc/>
    public Task<string> SiloAsync() => Task.FromResult(siloDetails.SiloAddress.ToString());
}
