namespace Dspy.Grains;

/// <summary>
/// The hard LM budget of a compile run (key: run id; DESIGN invariant 3), shared by the run's grain and every shard on
/// every silo: each LM call reserves an upper bound here before it is sent and settles with its real usage after, so
/// used plus reserved never crosses the limits, however many silos reserve at once. Persisted: used counts and open
/// reservations survive deactivation and silo failures, so a resumed run continues its budget instead of starting anew.
/// A reservation whose holder never settles it (its silo died) is charged at its bound when its lease runs out.
/// It also counts every provider call of the run per phase (<see cref="RunPhases"/>), limited or not: a reservation is
/// counted in its request's phase when settled, and a call that needs no reservation (a run without limits, or the
/// uncharged baseline and final evaluations) is recorded after its response (<see cref="RecordAsync"/>).
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

    /// <summary>
    /// Counts <paramref name="calls"/> provider calls of <paramref name="phase"/> that used <paramref name="usage"/> and
    /// were not reserved (they are not charged to the limits). Answers once the count is stored.
    /// </summary>
    [Alias("Record")]
    [ResponseTimeout("00:00:30")]
    Task RecordAsync(string phase, long calls, RunBudgetUsage usage);

    /// <summary>The provider calls of the run so far by phase (phases that made none are left out).</summary>
    [Alias("GetUsage")]
    [ResponseTimeout("00:00:30")]
    Task<IReadOnlyDictionary<string, RunPhaseUsage>> GetUsageAsync();
}
