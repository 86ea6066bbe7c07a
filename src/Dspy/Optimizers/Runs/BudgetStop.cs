namespace Dspy;

/// <summary>
/// The graceful-stop rule every optimizer follows under a hard <see cref="LMBudget"/>: run each trial (a candidate
/// program, a minibatch, a proposal round) with <see cref="RunTrialAsync{T}"/>. A trial during which the budget refused a
/// request (it threw <see cref="BudgetExceededException"/>, or swallowed one, or ran alongside one that did) is not
/// complete and its result is dropped; the optimizer then stops starting trials and returns the best program among the
/// completed ones. If no trial completed there is nothing to return, and the optimizer re-throws
/// <see cref="BudgetTrial{T}.Exception"/> (or <see cref="Exhausted"/>'s error).
/// <code>
/// var trial = await BudgetStop.RunTrialAsync(ct => EvaluateCandidateAsync(candidate, ct), cancellationToken);
/// if (!trial.Completed) break;            // stop: return the best so far
/// Apply(trial.Result!);
/// </code>
/// </summary>
public static class BudgetStop
{
    /// <summary>True once the budget of the current flow has refused a request: start no further trial.</summary>
    public static bool IsExhausted => LMBudget.Current?.IsExhausted == true;

    /// <summary>Runs one trial and reports whether it completed within the budget.</summary>
    public static async Task<BudgetTrial<T>> RunTrialAsync<T>(Func<CancellationToken, Task<T>> trial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var budget = LMBudget.Current;
        // A budget shared by other processes (a cluster run) learns of their refusals only when it asks.
        if (budget is not null) await budget.RefreshAsync(cancellationToken);
        var refusals = budget?.Refusals ?? 0;
        if (budget?.IsExhausted == true) return new BudgetTrial<T>(false, default, null);
        try
        {
            var result = await trial(cancellationToken);
            if (budget is not null) await budget.RefreshAsync(cancellationToken);
            return budget is not null && budget.Refusals != refusals ? new BudgetTrial<T>(false, default, null) : new BudgetTrial<T>(true, result, null);
        }
        catch (BudgetExceededException ex)
        {
            return new BudgetTrial<T>(false, default, ex);
        }
    }

    /// <summary>The error to re-throw when the budget ran out before any trial completed.</summary>
    public static BudgetExceededException Exhausted(BudgetExceededException? seen = null)
    {
        if (seen is not null) return seen;
        var budget = LMBudget.Current;
        var used = budget?.Used ?? OptimizerBudget.None;
        var limits = budget?.Limits ?? BudgetLimits.None;
        return new BudgetExceededException($"LM budget exhausted ({limits}) before any trial completed; used {LMBudget.Describe(used)}.", limits, used, "budget");
    }
}

/// <summary>The outcome of <see cref="BudgetStop.RunTrialAsync{T}"/>.</summary>
/// <param name="Completed">True when the trial ran to the end without the budget refusing any request meanwhile.</param>
/// <param name="Result">The trial's result when completed.</param>
/// <param name="Exception">The refusal the trial threw, if it threw one.</param>
public readonly record struct BudgetTrial<T>(bool Completed, T? Result, BudgetExceededException? Exception);
