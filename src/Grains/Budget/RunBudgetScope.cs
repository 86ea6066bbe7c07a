using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>
/// Puts a compile run's LM ledger in place on the cluster: around each phase in the run's grain (the optimizer's own
/// calls: teacher, proposer, reflection) and around each shard's work (the evaluations), every one an
/// <see cref="LMBudget"/> over the run's <see cref="ClusterLMBudgetLedger"/> for that phase, so every provider call of the
/// run is counted in its phase on whichever silo makes it. The compile phase is also charged to the run's hard limits
/// when it has some: a refusal in a shard travels back as a <see cref="RunBudgetExhaustedException"/> and reaches the
/// optimizer as <see cref="BudgetExceededException"/>, so it stops at its next trial boundary with the best program so
/// far, exactly as in-process (<see cref="BudgetStop"/>).
/// </summary>
public static class RunBudgetScope
{
    /// <summary>The event kind a run records when its budget ran out.</summary>
    public const string ExhaustedEventKind = "budget-exhausted";

    /// <summary>The event kind a run records with its budget use when the budget did not run out.</summary>
    public const string UsedEventKind = "budget";

    /// <summary>
    /// Runs <paramref name="optimize"/> with its calls counted in the compile phase and, when <paramref name="limits"/> has
    /// a limit, charged to the run's budget; then passes the budget's counts and the event to record to
    /// <paramref name="report"/> (only under limits; also when the budget ran out before the optimizer had a program, when
    /// it throws <see cref="BudgetExceededException"/>).
    /// </summary>
    public static async Task<T> OptimizeAsync<T>(IGrainFactory grains, string runId, RunBudgetLimits? limits, string holder, ILogger logger,
        Func<Task<T>> optimize, Action<RunBudgetSnapshot, RunProgressEvent> report)
    {
        ArgumentNullException.ThrowIfNull(optimize);
        ArgumentNullException.ThrowIfNull(report);
        var ledger = new ClusterLMBudgetLedger(grains, runId, limits ?? new RunBudgetLimits(), holder, logger) { Phase = RunPhases.Compile };
        var budget = new LMBudget(ledger);
        if (!ledger.Charged)
        {
            using (budget.Install()) return await optimize();
        }
        await ledger.BeginAsync();
        T result;
        try
        {
            using (budget.Install()) result = await optimize();
        }
        catch (BudgetExceededException)
        {
            await ReportAsync(ledger, report, returned: false);
            throw;
        }
        await ReportAsync(ledger, report, returned: true);
        return result;
    }

    /// <summary>
    /// Counts the calls of the current flow in <paramref name="phase"/> of run <paramref name="runId"/> without charging
    /// them (the baseline and final evaluations, as in-process); dispose the returned scope when the phase is done.
    /// </summary>
    public static IDisposable CountPhase(IGrainFactory grains, string runId, string phase, string holder, ILogger? logger = null) =>
        new LMBudget(new ClusterLMBudgetLedger(grains, runId, new RunBudgetLimits(), holder, logger) { Phase = phase }).Install();

    /// <summary>
    /// Installs the run's ledger for a shard's work of <see cref="ShardWork.Phase"/> (charged when
    /// <see cref="ShardWork.Budget"/> has limits); dispose the returned scope when the work is done. Null for work
    /// outside a compile run.
    /// </summary>
    public static IDisposable? InstallForShard(IGrainFactory grains, ShardWork work, string holder)
    {
        ArgumentNullException.ThrowIfNull(work);
        var limits = work.Budget is { IsLimited: true } b ? b : null;
        var phase = work.Phase ?? (limits is null ? null : RunPhases.Compile);
        return phase is null ? null : new LMBudget(new ClusterLMBudgetLedger(grains, work.RunId, limits ?? new RunBudgetLimits(), holder) { Phase = phase }).Install();
    }

    /// <summary>
    /// <paramref name="work"/> with the phase and limits of its run's ledger when the current flow has one (the run grain's
    /// evaluations): the phase always, the limits when the phase is charged (the optimizer's evaluations); unchanged for
    /// an evaluation outside a compile run.
    /// </summary>
    public static ShardWork ForRun(ShardWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return LMBudget.Current?.Ledger is ClusterLMBudgetLedger ledger && ledger.RunId == work.RunId
            ? work with { Phase = ledger.Phase, Budget = ledger.Charged ? ledger.RunLimits : null }
            : work;
    }
    private static async Task ReportAsync(ClusterLMBudgetLedger ledger, Action<RunBudgetSnapshot, RunProgressEvent> report, bool returned)
    {
        await ledger.RefreshAsync();
        var snapshot = ledger.Last;
        report(snapshot, new RunProgressEvent
        {
            Kind = snapshot.Exhausted ? ExhaustedEventKind : UsedEventKind,
            Message = !snapshot.Exhausted ? $"LM budget used: {snapshot}"
                : returned ? $"the LM budget ran out: {snapshot}; the optimizer returned the best program found within it"
                : $"the LM budget ran out before the optimizer had a program to return: {snapshot}",
        });
    }
}
