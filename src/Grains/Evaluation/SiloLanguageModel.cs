namespace Dspy.Grains;

/// <summary>
/// The LM a silo runs programs with (its own pipeline: provider client, cache and, in a cluster, the gateway's permit
/// client), plus a count of the cells it evaluated. One per silo, registered by <c>AddDspyCluster</c>. Runs that name
/// another model (a prompt or reflection LM) get it from <see cref="ForModel"/>, built once per model with the same pipeline;
/// predictors that carry their own LM (a fine-tuned model) run with <see cref="ForPredictor"/>.
/// </summary>
public sealed class SiloLanguageModel(BaseLM lm, int numThreads = 8, Func<string, BaseLM>? modelFactory = null)
{
    // Where and as whom an LM calls: the silo's, never a program state's (a saved state drops them, DSPy's unsafe LM keys).
    private static readonly HashSet<string> EndpointKeys = new([.. LmState.UnsafeKeys, "api_key"], StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<BaseLM>> _models = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<BaseLM>> _predictorLms = new(StringComparer.Ordinal);
    private long _cellsEvaluated;

    /// <summary>The LM.</summary>
    public BaseLM Lm { get; } = lm ?? throw new ArgumentNullException(nameof(lm));

    /// <summary>Examples a shard runs at once unless the request says otherwise.</summary>
    public int NumThreads { get; } = numThreads >= 1 ? numThreads : throw new ArgumentOutOfRangeException(nameof(numThreads), "NumThreads must be at least 1.");

    /// <summary>
    /// The LM for <paramref name="model"/>: the silo's own when it is that model, otherwise one built by the silo's
    /// pipeline (provider client, gateway, cache) and kept for later runs.
    /// </summary>
    /// <exception cref="ArgumentException">The model is empty, or this silo cannot build other models.</exception>
    public BaseLM ForModel(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (string.Equals(model, Lm.Model, StringComparison.Ordinal)) return Lm;
        if (modelFactory is null) throw new ArgumentException($"This silo runs only its own LM ({Lm.Model}); it cannot build '{model}'.");
        return _models.GetOrAdd(model, m => new Lazy<BaseLM>(() => modelFactory(m))).Value;
    }

    /// <summary>
    /// The LM a predictor that has its own (<paramref name="lm"/>, e.g. loaded from a program state) runs with on this silo:
    /// the silo's pipeline for that model (<see cref="ForModel"/>: provider client, cache, gateway permits, tenant quotas;
    /// the run budget applies to every LM call) with the predictor's request settings, its model type and its kwargs such
    /// as temperature and max_tokens. The endpoint and credentials are the silo's. Built once per model and settings.
    /// </summary>
    /// <exception cref="ArgumentException">The model is empty, or this silo cannot build other models.</exception>
    public BaseLM ForPredictor(BaseLM lm)
    {
        ArgumentNullException.ThrowIfNull(lm);
        var pipeline = ForModel(lm.Model);
        var settings = RequestSettings(lm);
        if (settings == RequestSettings(pipeline)) return pipeline;
        return _predictorLms.GetOrAdd(lm.Model + "\n" + settings, _ => new Lazy<BaseLM>(() =>
        {
            var bound = pipeline.Copy(lm.ModelType == pipeline.ModelType ? null : new Dictionary<string, object?>(StringComparer.Ordinal) { ["model_type"] = lm.ModelType });
            foreach (var key in bound.Kwargs.Keys.Where(k => !EndpointKeys.Contains(k)).ToList()) bound.Kwargs.Remove(key);
            foreach (var (key, value) in lm.Kwargs.Where(kv => !EndpointKeys.Contains(kv.Key))) bound.Kwargs[key] = value;
            return bound;
        })).Value;
    }

    /// <summary>
    /// Gives every predictor of <paramref name="program"/> that has its own LM this silo's pipeline for it
    /// (<see cref="ForPredictor"/>); the others run with the flow's LM (<see cref="Lm"/> on a shard), as before.
    /// </summary>
    public Module Bind(Module program)
    {
        ArgumentNullException.ThrowIfNull(program);
        foreach (var predictor in program.Predictors())
        {
            if (predictor.Lm is { } own) predictor.Lm = ForPredictor(own);
        }
        return program;
    }

    // What an LM sends with each request (model type and kwargs), without where it sends it.
    private static string RequestSettings(BaseLM lm) => CanonicalJson.Serialize(new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["model_type"] = lm.ModelType,
        ["kwargs"] = lm.Kwargs.Where(kv => !EndpointKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
    });

    /// <summary>Cells evaluated on this silo (not served from a shard's store).</summary>
    public long CellsEvaluated => Interlocked.Read(ref _cellsEvaluated);

    /// <summary>Raised with the cell id (shard key + '|' + example id) after this silo evaluated a cell.</summary>
    public event Action<string>? CellEvaluated;

    /// <summary>Raised with the cell id after a cell was written to grain storage.</summary>
    public event Action<string>? CellStored;

    internal void OnCellEvaluated(string cellId)
    {
        Interlocked.Increment(ref _cellsEvaluated);
        CellEvaluated?.Invoke(cellId);
    }

    internal void OnCellStored(string cellId) => CellStored?.Invoke(cellId);
}
