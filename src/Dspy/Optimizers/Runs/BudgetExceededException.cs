namespace Dspy;

/// <summary>
/// An LM call was refused because reserving it would cross a limit of the run's <see cref="LMBudget"/>. No request was
/// sent. It derives from <see cref="LMError"/> so adapters never answer it with a fallback call; optimizers stop at their
/// next trial boundary and return the best program found so far (see <see cref="BudgetStop"/>).
/// </summary>
public sealed class BudgetExceededException : LMError
{
    /// <summary>Creates the error.</summary>
    public BudgetExceededException(string message, BudgetLimits limits, OptimizerBudget used, string limit) : base(message)
    {
        Limits = limits;
        Used = used;
        Limit = limit;
    }

    /// <summary>The limits of the budget.</summary>
    public BudgetLimits Limits { get; }

    /// <summary>What the budget had used (settled calls) when the call was refused.</summary>
    public OptimizerBudget Used { get; }

    /// <summary>Which limit would have been crossed: <c>calls</c>, <c>tokens</c> or <c>cost</c>.</summary>
    public string Limit { get; }
}
