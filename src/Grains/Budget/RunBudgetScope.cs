using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>
/// Puts a compile run's hard LM budget in place on the cluster: around the optimizer in the run's grain (its own
/// calls: teacher, proposer, reflection) and around each shard's work (the evaluations), every one an
/// <see cref="LMBudget"/> over the run's <see cref="ClusterLMBudgetLedger"/>. A refusal in a shard travels back as a
/// <see cref="RunBudgetExhaustedException"/> and reaches the optimizer as <see cref="BudgetExceededException"/>, so it
/// stops at its next trial boundary with the best program so far, exactly as in-process (<see cref="BudgetStop"/>).
/// </summary>
public static class RunBudgetScope
{
    /// <summary>The event kind a run records when its budget ran out.</summary>
    public const string ExhaustedEventKind = "budget-exhausted";

    /// <summary>The event kind a run records with its budget use when the budget did not run out.</summary>
    public const string UsedEventKind = "budget";

    /// <summary>
    /// Runs <paramref name="optimize"/> under the run's budget when <paramref name="limits"/> has a limit (otherwise just
    /// runs it), then passes the budget's counts and the event to record to <paramref name="report"/>; also when the
    /// budget ran out before the optimizer had a program (it then throws <see cref="BudgetExceededException"/>).
    /// </summary>
    public static async Task<T> OptimizeAsync<T>(IGrainFactory grains, string runId, RunBudgetLimits? limits, string holder, ILogger logger,
        Func<Task<T>> optimize, Action<RunBudgetSnapshot, RunProgressEvent> report)
    {
        ArgumentNullException.ThrowIfNull(optimize);
        ArgumentNullException.ThrowIfNull(report);
        if (limits is not { IsLimited: true }) return await optimize();
        var ledger = new ClusterLMBudgetLedger(grains, runId, limits, holder, logger);
        await ledger.BeginAsync();
        var budget = new LMBudget(ledger);
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
    /// Installs the run's budget for a shard's work when the work is budgeted (<see cref="ShardWork.Budget"/>); dispose
    /// the returned scope when the work is done. Null when it is not budgeted.
    /// </summary>
    public static IDisposable? InstallForShard(IGrainFactory grains, ShardWork work, string holder)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work.Budget is { IsLimited: true } limits ? new LMBudget(new ClusterLMBudgetLedger(grains, work.RunId, limits, holder)).Install() : null;
    }

    /// <summary>
    /// The limits to send with a shard's work of run <paramref name="runId"/>: the run's, when the current flow is under
    /// that run's cluster budget (the optimizer's evaluations), else null (the baseline and final evaluations).
    /// </summary>
    public static RunBudgetLimits? ForShardWork(string runId) =>
        LMBudget.Current?.Ledger is ClusterLMBudgetLedger ledger && ledger.RunId == runId ? ledger.RunLimits : null;

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
