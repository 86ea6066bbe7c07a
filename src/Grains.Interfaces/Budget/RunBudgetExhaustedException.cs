namespace Dspy.Grains;

/// <summary>
/// A run's LM budget refused a call on a silo (the serializable form of <see cref="BudgetExceededException"/>, which
/// cannot cross grain calls itself): a shard throws it, and the run's evaluator turns it back into a
/// <see cref="BudgetExceededException"/> so the optimizer stops gracefully exactly as in-process.
/// </summary>
[GenerateSerializer, Alias("dspy.RunBudgetExhaustedException")]
public sealed class RunBudgetExhaustedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunBudgetExhaustedException() { }

    /// <summary>Creates the exception.</summary>
    public RunBudgetExhaustedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public RunBudgetExhaustedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The limit that would have been crossed (<c>calls</c>, <c>tokens</c> or <c>cost</c>).</summary>
    [Id(0)] public string Limit { get; init; } = "budget";

    /// <summary>The run's limits.</summary>
    [Id(1)] public RunBudgetLimits Limits { get; init; } = new();

    /// <summary>Calls used when the call was refused.</summary>
    [Id(2)] public long Calls { get; init; }

    /// <summary>Prompt tokens used.</summary>
    [Id(3)] public long PromptTokens { get; init; }

    /// <summary>Completion tokens used.</summary>
    [Id(4)] public long CompletionTokens { get; init; }

    /// <summary>Cost used in USD, or null.</summary>
    [Id(5)] public double? Cost { get; init; }

    /// <summary>The serializable form of <paramref name="refusal"/>.</summary>
    public static RunBudgetExhaustedException From(BudgetExceededException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new RunBudgetExhaustedException(refusal.Message)
        {
            Limit = refusal.Limit,
            Limits = RunBudgetLimits.From(refusal.Limits),
            Calls = refusal.Used.LmCalls,
            PromptTokens = refusal.Used.PromptTokens,
            CompletionTokens = refusal.Used.CompletionTokens,
            Cost = refusal.Used.Cost,
        };
    }

    /// <summary>The in-process form, for the optimizer (<see cref="BudgetStop"/>).</summary>
    public BudgetExceededException ToBudgetExceeded() =>
        new(Message, Limits.ToBudgetLimits(), new OptimizerBudget(Calls, PromptTokens, CompletionTokens, Cost), Limit);
}
