using System.Globalization;

namespace Dspy;

/// <summary>
/// The in-process <see cref="ILMBudgetLedger"/> (what <c>new LMBudget(limits)</c> uses): the counts live in this object,
/// every decision is taken under one lock, so concurrent requests of parallel workers cannot overshoot. Its operations
/// complete synchronously.
/// </summary>
public sealed class InMemoryLMBudgetLedger : ILMBudgetLedger
{
    private readonly Lock _lock = new();
    private LMBudgetState _state = LMBudgetState.Empty;
    private long _nextId;

    /// <summary>Creates a ledger enforcing <paramref name="limits"/> (null: count only).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative.</exception>
    public InMemoryLMBudgetLedger(BudgetLimits? limits = null)
    {
        Limits = limits ?? BudgetLimits.None;
        Limits.Validate();
    }

    /// <inheritdoc/>
    public BudgetLimits Limits { get; }

    /// <inheritdoc/>
    public LMBudgetState State
    {
        get
        {
            lock (_lock) return _state;
        }
    }

    /// <inheritdoc/>
    public ValueTask<LMBudgetGrant> ReserveAsync(LMBudgetCharge charge, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charge);
        lock (_lock)
        {
            if (_state.WouldCross(Limits, charge) is { } crossed)
            {
                _state = _state.WithRefusal();
                return ValueTask.FromResult(new LMBudgetGrant(null, crossed, _state));
            }
            _state = _state.WithReservation(charge);
            var id = (++_nextId).ToString(CultureInfo.InvariantCulture);
            return ValueTask.FromResult(new LMBudgetGrant(id, null, _state));
        }
    }

    /// <inheritdoc/>
    public ValueTask SettleAsync(string reservationId, LMBudgetCharge reserved, LMBudgetSettlement used, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservationId);
        lock (_lock) _state = _state.WithSettlement(reserved, used);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<LMBudgetState> RefreshAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(State);
}
