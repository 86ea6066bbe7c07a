namespace Dspy.Grains;

/// <summary>The grain storage providers the grains persist to; the silo registers each (memory or Azure Table).</summary>
public static class GrainStorageNames
{
    /// <summary>Compile runs, candidates, Pareto fronts and datasets.</summary>
    public const string Runs = "dspy-runs";

    /// <summary>Evaluated cells of the shard grains (the cluster's evaluation store).</summary>
    public const string Cells = "dspy-cells";

    /// <summary>
    /// The name the real provider (Azure Table or memory) of grain storage <paramref name="name"/> is registered under. The
    /// provider registered as <paramref name="name"/> itself sits in front of it and reports the storage's failures as
    /// <see cref="StorageUnavailableException"/>; registering another keyed <c>IGrainStorage</c> under this name replaces the
    /// real one behind that guard.
    /// </summary>
    public static string ProviderOf(string name) => name + ".provider";
}
