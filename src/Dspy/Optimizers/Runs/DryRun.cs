namespace Dspy;

/// <summary>
/// A dry run (DESIGN invariant 3): runs an optimizer against an <see cref="LMProjection"/> (the simulated LM answering in
/// place of every provider, with a private cache) and reports the LM calls, tokens and cost the real run would make,
/// before anything is spent. Every LM in the flow is projected, including LMs handed to the optimizer directly (a
/// prompt model, a reflection LM); costs use each LM's own model price.
/// </summary>
/// <remarks>
/// The projection is exact when the real run uses the simulated LM, and an estimate otherwise: a real model's answers
/// (and so how many bootstrapping rounds succeed or how long outputs are) differ from the simulator's. It assumes a cold
/// cache: calls already in the real run's cache or evaluation store would be free. Nothing is read from or written to
/// the real cache, and a <see cref="MemoizingProgramEvaluator"/> neither reads nor writes its store during a projection.
/// </remarks>
public static class DryRun
{
    /// <summary>
    /// Projects <c>teleprompter.CompileAsync(student, trainset, options)</c>. With <paramref name="limits"/>, the projection
    /// runs under those limits too and says whether the real run would be stopped by them.
    /// </summary>
    public static async Task<DryRunProjection> ProjectAsync(Teleprompter teleprompter, Module student, IReadOnlyList<Example> trainset,
        CompileOptions? options = null, BudgetLimits? limits = null, LMProjection? projection = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(teleprompter);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(trainset);
        projection ??= new LMProjection();
        var budget = new LMBudget(limits);
        using var installed = projection.Install();
        using var budgetScope = budget.Install();
        using var usage = Settings.TrackUsage();
        var completed = true;
        try
        {
            await teleprompter.CompileAsync(student, trainset, options, cancellationToken);
        }
        catch (BudgetExceededException)
        {
            completed = false;
        }
        var byModel = usage.GetTotalTokens().ToDictionary(kv => kv.Key, kv => OptimizerBudget.From(new Dictionary<string, LMUsage> { [kv.Key] = kv.Value }),
            StringComparer.Ordinal);
        return new DryRunProjection(budget.Used, byModel, budget.IsExhausted || !completed) { ProviderRequests = projection.ProviderRequests };
    }
}

/// <summary>What <see cref="DryRun.ProjectAsync"/> projects.</summary>
/// <param name="Projected">The LM calls, tokens and cost of the projected run (cost null when no price is known).</param>
/// <param name="ByModel">The same by model.</param>
/// <param name="StoppedByBudget">True when the limits given would stop the run before it finishes.</param>
public sealed record DryRunProjection(OptimizerBudget Projected, IReadOnlyDictionary<string, OptimizerBudget> ByModel, bool StoppedByBudget)
{
    /// <summary>
    /// The requests the provider would receive: <see cref="OptimizerBudget.LmCalls"/> of <see cref="Projected"/> counts
    /// calls as <see cref="LMBudget"/> does, where a request for <c>n</c> generations may count once although the LM sends
    /// <c>n</c> requests (COPRO's proposals, Predict with <c>n</c> in its config).
    /// </summary>
    public long ProviderRequests { get; init; }
}
