namespace Dspy.Grains;

/// <summary>
/// The LM a silo runs programs with (its own pipeline: provider client, cache and, in a cluster, the gateway's permit
/// client), plus a count of the cells it evaluated. One per silo, registered by <c>AddDspyCluster</c>.
/// </summary>
public sealed class SiloLanguageModel(BaseLM lm, int numThreads = 8)
{
    private long _cellsEvaluated;

    /// <summary>The LM.</summary>
    public BaseLM Lm { get; } = lm ?? throw new ArgumentNullException(nameof(lm));

    /// <summary>Examples a shard runs at once unless the request says otherwise.</summary>
    public int NumThreads { get; } = numThreads >= 1 ? numThreads : throw new ArgumentOutOfRangeException(nameof(numThreads), "NumThreads must be at least 1.");

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
