namespace Dspy.Grains;

/// <summary>The grain storage providers the grains persist to; the silo registers each (memory or Azure Table).</summary>
public static class GrainStorageNames
{
    /// <summary>Compile runs, candidates, Pareto fronts and datasets.</summary>
    public const string Runs = "dspy-runs";

    /// <summary>Evaluated cells of the shard grains (the cluster's evaluation store).</summary>
    public const string Cells = "dspy-cells";
}
