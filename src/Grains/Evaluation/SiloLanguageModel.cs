namespace Dspy.Grains;

/// <summary>
/// The LM a silo runs programs with (its own pipeline: provider client, cache and, in a cluster, the gateway's permit
/// client), plus a count of the cells it evaluated. One per silo, registered by <c>AddDspyCluster</c>. Runs that name
/// another model (a prompt or reflection LM) get it from <see cref="ForModel"/>, built once per model with the same pipeline.
/// </summary>
public sealed class SiloLanguageModel(BaseLM lm, int numThreads = 8, Func<string, BaseLM>? modelFactory = null)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<BaseLM>> _models = new(StringComparer.Ordinal);
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
