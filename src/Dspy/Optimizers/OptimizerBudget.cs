namespace Dspy;

/// <summary>
/// The LM budget an optimizer has used so far: requests that reached a provider (cache hits are free and not counted),
/// their tokens, and their cost when the model's price is known. Counts every call made while compiling, whoever made
/// it (task, teacher, proposer, judge).
/// </summary>
/// <param name="LmCalls">LM requests sent (not served from the cache).</param>
/// <param name="PromptTokens">Input tokens of those requests.</param>
/// <param name="CompletionTokens">Output tokens of those requests.</param>
/// <param name="Cost">Cost in USD, or null when no price is known.</param>
public sealed record OptimizerBudget(long LmCalls, long PromptTokens, long CompletionTokens, double? Cost)
{
    /// <summary>Nothing used.</summary>
    public static OptimizerBudget None { get; } = new(0, 0, 0, null);

    /// <summary>The budget summed over the models of a usage tracker.</summary>
    public static OptimizerBudget From(IReadOnlyDictionary<string, LMUsage> usageByModel)
    {
        ArgumentNullException.ThrowIfNull(usageByModel);
        var total = usageByModel.Values.Aggregate(LMUsage.Empty, (a, b) => a + b);
        return new OptimizerBudget(total.Calls, total.PromptTokens, total.CompletionTokens, total.Cost);
    }
}
