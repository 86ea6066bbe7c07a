namespace Dspy;

/// <summary>
/// The counts of an LM budget: what settled requests used, what open reservations hold, and how many requests were
/// refused. Immutable; the <c>With…</c> methods are the one set of rules every <see cref="ILMBudgetLedger"/> applies.
/// </summary>
/// <param name="Used">What settled requests used.</param>
/// <param name="ReservedCalls">Open reservations.</param>
/// <param name="ReservedTokens">Tokens the open reservations hold.</param>
/// <param name="ReservedCost">Cost in USD the open reservations hold.</param>
/// <param name="Refusals">Requests refused.</param>
public sealed record LMBudgetState(OptimizerBudget Used, long ReservedCalls, long ReservedTokens, double ReservedCost, long Refusals)
{
    /// <summary>Nothing used, reserved or refused.</summary>
    public static LMBudgetState Empty { get; } = new(OptimizerBudget.None, 0, 0, 0, 0);

    /// <summary>
    /// The limit that reserving <paramref name="charge"/> would cross (<c>calls</c>, <c>tokens</c> or <c>cost</c>, checked in
    /// that order), or null when used plus reserved plus the charge stays within <paramref name="limits"/>.
    /// </summary>
    public string? WouldCross(BudgetLimits limits, LMBudgetCharge charge)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(charge);
        if (limits.MaxCalls is { } maxCalls && Used.LmCalls + ReservedCalls + charge.Calls > maxCalls) return "calls";
        if (limits.MaxTokens is { } maxTokens && Used.PromptTokens + Used.CompletionTokens + ReservedTokens + charge.Tokens > maxTokens) return "tokens";
        if (limits.MaxCost is { } maxCost && (Used.Cost ?? 0) + ReservedCost + charge.Cost > maxCost) return "cost";
        return null;
    }

    /// <summary>The state with <paramref name="charge"/> reserved.</summary>
    public LMBudgetState WithReservation(LMBudgetCharge charge)
    {
        ArgumentNullException.ThrowIfNull(charge);
        return this with { ReservedCalls = ReservedCalls + charge.Calls, ReservedTokens = ReservedTokens + charge.Tokens, ReservedCost = ReservedCost + charge.Cost };
    }

    /// <summary>The state with the reservation of <paramref name="reserved"/> released and its calls charged with <paramref name="used"/>.</summary>
    public LMBudgetState WithSettlement(LMBudgetCharge reserved, LMBudgetSettlement used)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        ArgumentNullException.ThrowIfNull(used);
        return this with
        {
            ReservedCalls = ReservedCalls - reserved.Calls,
            ReservedTokens = ReservedTokens - reserved.Tokens,
            ReservedCost = ReservedCost - reserved.Cost,
            Used = new OptimizerBudget(Used.LmCalls + reserved.Calls, Used.PromptTokens + used.PromptTokens, Used.CompletionTokens + used.CompletionTokens,
                used.Cost is { } c ? (Used.Cost ?? 0) + c : Used.Cost),
        };
    }

    /// <summary>The state with one more refusal.</summary>
    public LMBudgetState WithRefusal() => this with { Refusals = Refusals + 1 };
}
