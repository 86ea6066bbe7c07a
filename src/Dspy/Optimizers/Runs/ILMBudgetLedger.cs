namespace Dspy;

/// <summary>
/// Where an <see cref="LMBudget"/> keeps its counts: used calls, tokens and cost, the open reservations and the refusals.
/// The default, <see cref="InMemoryLMBudgetLedger"/>, keeps them in this process; a cluster keeps them in one place
/// shared by every process a run spans, so the limit holds across all of them.
/// </summary>
/// <remarks>
/// <see cref="LMBudget"/> computes each request's upper bound (<see cref="LMBudgetCharge"/>) and what a settled request
/// used (<see cref="LMBudgetSettlement"/>), so every ledger enforces the same bound; a ledger only decides, atomically,
/// whether used plus reserved plus the new charge stays within <see cref="Limits"/> (see
/// <see cref="LMBudgetState.WouldCross"/>), and records the outcome.
/// </remarks>
public interface ILMBudgetLedger
{
    /// <summary>The limits the ledger enforces.</summary>
    BudgetLimits Limits { get; }

    /// <summary>
    /// The counts as last known in this process: current for an in-process ledger; for a shared ledger, as of the latest
    /// reservation, settlement or <see cref="RefreshAsync"/> made through this instance.
    /// </summary>
    LMBudgetState State { get; }

    /// <summary>
    /// Reserves <paramref name="charge"/> (one call) unless used plus reserved plus it would cross a limit; a refusal is
    /// counted in <see cref="LMBudgetState.Refusals"/>.
    /// </summary>
    ValueTask<LMBudgetGrant> ReserveAsync(LMBudgetCharge charge, CancellationToken cancellationToken = default);

    /// <summary>
    /// Settles the reservation <paramref name="reservationId"/> (which reserved <paramref name="reserved"/>): releases it and
    /// charges one call with <paramref name="used"/>. Called exactly once per granted reservation.
    /// </summary>
    ValueTask SettleAsync(string reservationId, LMBudgetCharge reserved, LMBudgetSettlement used, CancellationToken cancellationToken = default);

    /// <summary>Reads the current counts (for a shared ledger, from where they live) and returns them.</summary>
    ValueTask<LMBudgetState> RefreshAsync(CancellationToken cancellationToken = default);
}
