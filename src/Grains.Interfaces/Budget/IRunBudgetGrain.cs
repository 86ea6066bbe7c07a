namespace Dspy.Grains;

/// <summary>
/// The hard LM budget of a compile run (key: run id; DESIGN invariant 3), shared by the run's grain and every shard on
/// every silo: each LM call reserves an upper bound here before it is sent and settles with its real usage after, so
/// used plus reserved never crosses the limits, however many silos reserve at once. Persisted: used counts and open
/// reservations survive deactivation and silo failures, so a resumed run continues its budget instead of starting anew.
/// A reservation whose holder never settles it (its silo died) is charged at its bound when its lease runs out.
/// </summary>
[Alias("dspy.IRunBudgetGrain")]
public interface IRunBudgetGrain : IGrainWithStringKey
{
    /// <summary>Reserves one call of at most the request's tokens and cost, or refuses it when a limit would be crossed.</summary>
    [Alias("Reserve")]
    [ResponseTimeout("00:00:30")]
    Task<RunBudgetGrant> ReserveAsync(RunBudgetRequest request);

    /// <summary>
    /// Settles a reservation: releases it and charges one call with <paramref name="usage"/>. Settling a reservation that is
    /// no longer held (already settled, or charged when its lease ran out) changes nothing.
    /// </summary>
    [Alias("Settle")]
    [ResponseTimeout("00:00:30")]
    Task<RunBudgetSnapshot> SettleAsync(string reservationId, RunBudgetUsage usage);

    /// <summary>The budget's counts.</summary>
    [Alias("Get")]
    [ResponseTimeout("00:00:30")]
    Task<RunBudgetSnapshot> GetAsync();
}
