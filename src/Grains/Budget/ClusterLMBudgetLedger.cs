using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dspy.Grains;

/// <summary>
/// The cluster's <see cref="ILMBudgetLedger"/>: the counts live in the run's <see cref="IRunBudgetGrain"/>, shared by the
/// run's grain and every shard on every silo, so one <see cref="LMBudget"/> limit holds across all of them. Each
/// reservation and settlement is one grain call; <see cref="State"/> is the newest answer received. Every call is
/// counted in the run's <see cref="Phase"/>. Without limits nothing needs reserving: the ledger only counts, one grain
/// call after each response (<see cref="IRunBudgetGrain.RecordAsync"/>).
/// </summary>
public sealed partial class ClusterLMBudgetLedger : ILMBudgetLedger
{
    private static readonly TimeSpan[] s_settleRetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)];
    private readonly IRunBudgetGrain _grain;
    private readonly string? _holder;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private RunBudgetSnapshot _last = new();
    private long _refusalBaseline, _lastLocalReservation;

    /// <summary>Creates a ledger over the budget grain of run <paramref name="runId"/>.</summary>
    /// <param name="grains">The grain factory.</param>
    /// <param name="runId">The run (the budget grain's key).</param>
    /// <param name="limits">The run's limits (they configure the grain on first use).</param>
    /// <param name="holder">Who holds the reservations (a silo address; for diagnostics).</param>
    /// <param name="logger">Logs settlements that could not be delivered.</param>
    public ClusterLMBudgetLedger(IGrainFactory grains, string runId, RunBudgetLimits limits, string? holder = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(limits);
        GrainKeys.CheckRunId(runId);
        limits.Validate();
        RunId = runId;
        RunLimits = limits;
        Limits = limits.ToBudgetLimits();
        _grain = grains.GetGrain<IRunBudgetGrain>(runId);
        _holder = holder;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The run whose budget this is.</summary>
    public string RunId { get; }

    /// <summary>The run's limits in their serializable form.</summary>
    public RunBudgetLimits RunLimits { get; }

    /// <inheritdoc/>
    public BudgetLimits Limits { get; }

    /// <summary>The run phase this ledger's calls are counted in (<see cref="RunPhases"/>; compile unless set).</summary>
    public string Phase
    {
        get;
        init => field = RunPhases.IsKnown(value) ? value : throw new ArgumentException($"Unknown run phase '{value}'.", nameof(value));
    } = RunPhases.Compile;

    /// <summary>Whether the calls are charged to the run's limits (it has some); otherwise they are only counted.</summary>
    public bool Charged => RunLimits.IsLimited;

    /// <summary>How long a reservation is held without being settled before the grain charges it at its bound (15 minutes).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The newest counts received from the grain.</summary>
    public RunBudgetSnapshot Last
    {
        get
        {
            lock (_lock) return _last;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Refusals are counted from <see cref="BeginAsync"/> on (from 0 when it was not called).</remarks>
    public LMBudgetState State
    {
        get
        {
            lock (_lock) return _last.ToState() with { Refusals = Math.Max(0, _last.Refusals - _refusalBaseline) };
        }
    }

    /// <summary>
    /// Reads the budget and counts <see cref="LMBudgetState.Refusals"/> from now on. A resumed run calls it at the start of
    /// each attempt: it continues the used counts (no fresh budget), but its replayed trials, served from the stored cells,
    /// must not stop at a refusal of the previous attempt; the first call it cannot afford is refused again anyway.
    /// </summary>
    public async Task<RunBudgetSnapshot> BeginAsync()
    {
        if (!Charged) return Last;
        var snapshot = await _grain.GetAsync();
        lock (_lock)
        {
            Observe(snapshot);
            _refusalBaseline = snapshot.Refusals;
        }
        return snapshot;
    }

    /// <inheritdoc/>
    public async ValueTask<LMBudgetGrant> ReserveAsync(LMBudgetCharge charge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charge);
        cancellationToken.ThrowIfCancellationRequested();
        // Nothing to enforce: a local id, and the call is counted when it settles.
        if (!Charged) return new LMBudgetGrant("local-" + Interlocked.Increment(ref _lastLocalReservation).ToString(System.Globalization.CultureInfo.InvariantCulture), null, State);
        var grant = await _grain.ReserveAsync(new RunBudgetRequest
        {
            Limits = RunLimits, Model = charge.Model, Tokens = charge.Tokens, Cost = charge.Cost, Calls = charge.Calls, Holder = _holder, Lease = Lease,
            Phase = Phase,
        });
        lock (_lock) Observe(grant.Snapshot);
        return new LMBudgetGrant(grant.ReservationId, grant.RefusedLimit, State);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Never throws: the call it settles has been made. When the grain cannot be reached after a few tries, the
    /// reservation stays open and the grain charges it at its bound when its lease runs out; an unreserved call (no limits)
    /// is then missing from the phase's count (logged). A retry after an answer that was lost can count a call twice.
    /// </remarks>
    public async ValueTask SettleAsync(string reservationId, LMBudgetCharge reserved, LMBudgetSettlement used, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservationId);
        ArgumentNullException.ThrowIfNull(reserved);
        ArgumentNullException.ThrowIfNull(used);
        var usage = new RunBudgetUsage { PromptTokens = used.PromptTokens, CompletionTokens = used.CompletionTokens, Cost = used.Cost };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (!Charged)
                {
                    await _grain.RecordAsync(Phase, reserved.Calls, usage);
                    return;
                }
                var snapshot = await _grain.SettleAsync(reservationId, usage);
                lock (_lock) Observe(snapshot);
                return;
            }
            catch (Exception ex) when (attempt < s_settleRetryDelays.Length && ClusterEvaluationException.IsTransient(ex))
            {
                await Task.Delay(s_settleRetryDelays[attempt], CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogSettleFailed(_logger, ex, RunId, reservationId, Phase);
                return;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<LMBudgetState> RefreshAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Without limits nothing is ever refused, so there is nothing to learn.
        if (!Charged) return State;
        var snapshot = await _grain.GetAsync();
        lock (_lock) Observe(snapshot);
        return State;
    }

    // Answers can arrive out of order (concurrent calls): keep the newest.
    private void Observe(RunBudgetSnapshot snapshot)
    {
        if (snapshot.Version >= _last.Version) _last = snapshot;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run budget {RunId}: call {ReservationId} of phase {Phase} could not be settled; a reservation is charged at its bound when its lease runs out, an unreserved call is missing from the phase's count")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string runId, string reservationId, string phase);
}
