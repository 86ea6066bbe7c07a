using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Dspy.Grains;

/// <summary>
/// The run budget grain (see <see cref="IRunBudgetGrain"/>). Every decision (check the limits, then reserve, refuse or
/// settle) is taken synchronously within one turn, with no await between the check and the change, so interleaved
/// requests cannot overshoot; that is what lets the grain be reentrant. A reply is sent only once a write that includes
/// its change has finished (one <c>WriteStateAsync</c> in flight, later changes ride on the next), so a granted
/// reservation is never lost by a silo failure. The counts follow <see cref="LMBudgetState"/>'s rules, the same as
/// the in-process ledger. Beside the budget it counts every provider call of the run by phase, charged or not (settled
/// and expired reservations in their request's phase, and the calls recorded without one).
/// </summary>
[GrainType("dspy-run-budget")]
[Reentrant]
public sealed partial class RunBudgetGrain(
    [PersistentState("budget", GrainStorageNames.Runs)] IPersistentState<RunBudgetRecord> state,
    ILogger<RunBudgetGrain> logger) : Grain, IRunBudgetGrain
{
    private readonly Dictionary<string, RunBudgetHold> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OptimizerBudget> _phases = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = TimeProvider.System;
    private RunBudgetLimits? _limits;
    private LMBudgetState _counts = LMBudgetState.Empty;
    private long _expired, _version, _lastReservation, _written;
    private Task _writing = Task.CompletedTask;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var r = state.State;
        _limits = r.Limits;
        foreach (var hold in r.Open) _open[hold.Id] = hold;
        foreach (var (phase, usage) in r.Phases) _phases[phase] = usage.Used;
        _counts = new LMBudgetState(new OptimizerBudget(r.Calls, r.PromptTokens, r.CompletionTokens, r.Cost),
            _open.Count, _open.Values.Sum(h => h.Tokens), _open.Values.Sum(h => h.Cost), r.Refusals);
        _expired = r.Expired;
        _version = _written = r.Version;
        _lastReservation = r.LastReservation;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<RunBudgetGrant> ReserveAsync(RunBudgetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        // The first participant brings the run's limits; they never change afterwards.
        if (_limits is null)
        {
            _limits = request.Limits;
            _version++;
        }
        ExpireLapsed();
        var charge = new LMBudgetCharge(request.Model, request.Tokens, request.Cost, request.Calls);
        var crossed = _counts.WouldCross(_limits.ToBudgetLimits(), charge);
        string? id = null;
        if (crossed is not null)
        {
            _counts = _counts.WithRefusal();
        }
        else
        {
            id = (++_lastReservation).ToString(CultureInfo.InvariantCulture);
            _open[id] = new RunBudgetHold
            {
                Id = id, Model = request.Model, Tokens = request.Tokens, Cost = request.Cost, Calls = request.Calls, Holder = request.Holder,
                Phase = request.Phase, ExpiresAt = _time.GetUtcNow() + request.Lease,
            };
            _counts = _counts.WithReservation(charge);
        }
        _version++;
        var snapshot = Snapshot();
        await PersistAsync(snapshot.Version);
        return new RunBudgetGrant { ReservationId = id, RefusedLimit = crossed, Snapshot = snapshot };
    }

    /// <inheritdoc/>
    public async Task<RunBudgetSnapshot> SettleAsync(string reservationId, RunBudgetUsage usage)
    {
        ArgumentException.ThrowIfNullOrEmpty(reservationId);
        var used = Settlement(usage);
        ExpireLapsed();
        if (_open.Remove(reservationId, out var hold))
        {
            Charge(hold, used);
            _version++;
        }
        var snapshot = Snapshot();
        await PersistAsync(snapshot.Version);
        return snapshot;
    }

    /// <inheritdoc/>
    public async Task RecordAsync(string phase, long calls, RunBudgetUsage usage)
    {
        if (!RunPhases.IsKnown(phase)) throw new ArgumentException($"Unknown run phase '{phase}'.", nameof(phase));
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        Count(phase, calls, Settlement(usage));
        _version++;
        await PersistAsync(_version);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, RunPhaseUsage>> GetUsageAsync()
    {
        ExpireLapsed();
        await PersistAsync(_version);
        return _phases.ToDictionary(kv => kv.Key, kv => RunPhaseUsage.From(kv.Value), StringComparer.Ordinal);
    }

    private static LMBudgetSettlement Settlement(RunBudgetUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.PromptTokens < 0 || usage.CompletionTokens < 0 || usage.Cost is < 0 || (usage.Cost is { } c && !double.IsFinite(c)))
        {
            throw new ArgumentOutOfRangeException(nameof(usage), usage, "Settled usage must be non-negative.");
        }
        return new LMBudgetSettlement(usage.PromptTokens, usage.CompletionTokens, usage.Cost);
    }

    // A settled (or expired) reservation: charged to the budget and counted in its phase.
    private void Charge(RunBudgetHold hold, LMBudgetSettlement used)
    {
        var charge = Charge(hold);
        _counts = _counts.WithSettlement(charge, used);
        Count(hold.Phase.Length == 0 ? RunPhases.Compile : hold.Phase, charge.Calls, used);
    }

    // A phase's counts grow by LMBudgetState's rule (the calls, the reported tokens, the cost once one is known).
    private void Count(string phase, long calls, LMBudgetSettlement used) =>
        _phases[phase] = new LMBudgetState(_phases.GetValueOrDefault(phase, OptimizerBudget.None), 0, 0, 0, 0)
            .WithSettlement(new LMBudgetCharge("", 0, 0, calls), used).Used;

    /// <inheritdoc/>
    public async Task<RunBudgetSnapshot> GetAsync()
    {
        ExpireLapsed();
        var snapshot = Snapshot();
        await PersistAsync(snapshot.Version);
        return snapshot;
    }

    // A holder that did not settle within its lease is taken as gone (its silo died). Its call may have reached the
    // provider, so the reservation is charged at its bound rather than released: the limit stays a hard limit.
    private void ExpireLapsed()
    {
        if (_open.Count == 0) return;
        var now = _time.GetUtcNow();
        foreach (var hold in _open.Values.Where(h => h.ExpiresAt <= now).OrderBy(h => h.ExpiresAt).ToList())
        {
            _open.Remove(hold.Id);
            Charge(hold, new LMBudgetSettlement(hold.Tokens, 0, hold.Cost > 0 ? hold.Cost : null));
            _expired++;
            _version++;
            LogExpired(logger, this.GetPrimaryKeyString(), hold.Id, hold.Holder ?? "?", hold.Tokens);
        }
    }

    private static LMBudgetCharge Charge(RunBudgetHold hold) => new(hold.Model, hold.Tokens, hold.Cost, Math.Max(1, hold.Calls));

    private RunBudgetSnapshot Snapshot() => new()
    {
        Limits = _limits,
        Calls = _counts.Used.LmCalls,
        PromptTokens = _counts.Used.PromptTokens,
        CompletionTokens = _counts.Used.CompletionTokens,
        Cost = _counts.Used.Cost,
        ReservedCalls = _counts.ReservedCalls,
        ReservedTokens = _counts.ReservedTokens,
        ReservedCost = _counts.ReservedCost,
        Refusals = _counts.Refusals,
        Expired = _expired,
        Version = _version,
    };

    // Returns once a write including version `version` has finished.
    private async Task PersistAsync(long version)
    {
        while (_written < version)
        {
            if (_writing.IsCompleted) _writing = WriteAsync();
            await _writing;
        }
    }

    private async Task WriteAsync()
    {
        var version = _version;
        // A fresh record per write: the storage provider may serialize it while later turns change the counts.
        state.State = new RunBudgetRecord
        {
            Limits = _limits,
            Calls = _counts.Used.LmCalls,
            PromptTokens = _counts.Used.PromptTokens,
            CompletionTokens = _counts.Used.CompletionTokens,
            Cost = _counts.Used.Cost,
            Refusals = _counts.Refusals,
            Expired = _expired,
            Version = version,
            LastReservation = _lastReservation,
            Open = [.. _open.Values.OrderBy(h => h.Id, StringComparer.Ordinal)],
            Phases = _phases.ToDictionary(kv => kv.Key, kv => RunPhaseUsage.From(kv.Value), StringComparer.Ordinal),
        };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The callers waiting on this write get the error; the in-memory counts may now be ahead of storage, so the
            // activation is dropped and the next one starts from what storage has.
            DeactivateOnIdle();
            throw;
        }
        _written = Math.Max(_written, version);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run budget {RunId}: reservation {ReservationId} of {Holder} was not settled within its lease; charged at its bound ({Tokens} tokens)")]
    private static partial void LogExpired(ILogger logger, string runId, string reservationId, string holder, long tokens);
}
