namespace Dspy;

/// <summary>
/// The upper bound one LM request may use, reserved before it is sent: <paramref name="Calls"/> calls (a request for
/// <c>n</c> generations reaches the provider as <c>n</c> requests), <paramref name="Tokens"/> and <paramref name="Cost"/>.
/// </summary>
/// <param name="Model">The request's model.</param>
/// <param name="Tokens">Prompt plus completion tokens, at most (see <see cref="LMBudget"/> for the bound).</param>
/// <param name="Cost">The cost of those tokens in USD at the model's price (0 when the price is unknown).</param>
/// <param name="Calls">Provider requests the request makes (its <c>n</c>; at least 1).</param>
public sealed record LMBudgetCharge(string Model, long Tokens, double Cost, long Calls = 1);

/// <summary>What one settled request is charged: its reserved calls and these tokens and cost.</summary>
/// <param name="PromptTokens">Prompt tokens (the reserved bound when the provider reported no usage).</param>
/// <param name="CompletionTokens">Completion tokens.</param>
/// <param name="Cost">The cost in USD, or null when the model's price is unknown.</param>
public sealed record LMBudgetSettlement(long PromptTokens, long CompletionTokens, double? Cost)
{
    /// <summary>A request that failed: its calls, no tokens.</summary>
    public static LMBudgetSettlement Failed { get; } = new(0, 0, null);
}

/// <summary>A ledger's answer to a reservation: granted with an id, or refused naming the limit it would cross.</summary>
/// <param name="ReservationId">The id to settle, when granted.</param>
/// <param name="RefusedLimit">The limit that would be crossed (<c>calls</c>, <c>tokens</c> or <c>cost</c>), when refused.</param>
/// <param name="State">The ledger's counts after the decision.</param>
public sealed record LMBudgetGrant(string? ReservationId, string? RefusedLimit, LMBudgetState State)
{
    /// <summary>True when the reservation was granted.</summary>
    public bool Granted => ReservationId is not null;
}
