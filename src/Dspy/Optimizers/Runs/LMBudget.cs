using System.Globalization;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// A hard LM budget (DESIGN invariant 3). Installed in the settings (<see cref="DspySettings.Budget"/>, see
/// <see cref="Install"/>), it sees every request any <see cref="LM"/> in that async flow sends to a provider (task,
/// teacher, proposer, reflection, judge; parallel workers included); cache hits are free and not counted.
/// </summary>
/// <remarks>
/// <para>
/// Never exceeded: before a request is sent, the LM reserves an upper bound of what it can use: 1 call; the prompt tokens
/// counted with the o200k tokenizer (each message's text plus 4, plus 3, one more per message than OpenAI's chat
/// accounting) plus the request's <c>max_tokens</c> (or <see cref="AssumedCompletionTokens"/> when it has none), times
/// <c>n</c>; the cost of those tokens at the model's <see cref="LMPricing"/> price. If used plus reserved plus this
/// reservation would cross a limit, the request is refused with <see cref="BudgetExceededException"/> and nothing is
/// sent. After the response the reservation is settled with the provider's reported usage (a failed request counts as one
/// call with no tokens). Reservations of concurrent requests are held together, so parallel workers cannot overshoot.
/// </para>
/// <para>
/// The token bound holds for providers whose tokenizer does not count more than o200k plus the per-message allowance and
/// that honour <c>max_tokens</c> (OpenAI, the simulated LM); for others, set <see cref="PromptTokenMargin"/>. Calls are
/// counted per provider request: a request for <c>n</c> generations is <c>n</c> calls (the LM sends, and the provider
/// bills and rate-limits, one request per generation); retries of one request are not counted again.
/// </para>
/// <para>
/// The counts live in an <see cref="ILMBudgetLedger"/>: by default in this process (<see cref="InMemoryLMBudgetLedger"/>);
/// a cluster passes a ledger shared by every silo of a run, so one budget holds across all of them. The bounds above are
/// computed here, so every ledger enforces the same ones. With a shared ledger, <see cref="Used"/>, <see cref="Refusals"/>
/// and <see cref="IsExhausted"/> are as of the latest reservation, settlement or <see cref="RefreshAsync"/> of this
/// instance (<see cref="BudgetStop"/> refreshes at each trial boundary).
/// </para>
/// </remarks>
public sealed class LMBudget
{
    /// <summary>Creates a budget with <paramref name="limits"/> (null: count only), counted in this process.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative.</exception>
    public LMBudget(BudgetLimits? limits = null)
        : this(new InMemoryLMBudgetLedger(limits))
    {
    }

    /// <summary>Creates a budget whose counts live in <paramref name="ledger"/> (e.g. shared by the silos of a cluster run).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit of the ledger is negative.</exception>
    public LMBudget(ILMBudgetLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        Ledger = ledger;
        Limits.Validate();
    }

    /// <summary>Where the counts live.</summary>
    public ILMBudgetLedger Ledger { get; }

    /// <summary>The limits.</summary>
    public BudgetLimits Limits => Ledger.Limits;

    /// <summary>Completion tokens reserved for a request without <c>max_tokens</c> (DSPy's former default, 4000).</summary>
    public long AssumedCompletionTokens { get; init; } = 4000;

    /// <summary>Multiplies the prompt-token estimate (1.0; raise it for providers whose tokenizer counts more than o200k).</summary>
    public double PromptTokenMargin { get; init; } = 1.0;

    /// <summary>What settled requests have used so far (for a shared ledger: as last known, see <see cref="RefreshAsync"/>).</summary>
    public OptimizerBudget Used => Ledger.State.Used;

    /// <summary>Requests refused so far (for a shared ledger: by any participant, as last known).</summary>
    public int Refusals => (int)Math.Min(int.MaxValue, Ledger.State.Refusals);

    /// <summary>True once a request has been refused: the run should stop at its next trial boundary.</summary>
    public bool IsExhausted => Refusals > 0;

    /// <summary>The budget of the current async flow, if any.</summary>
    public static LMBudget? Current => Settings.Current.Budget;

    /// <summary>Installs this budget in the settings of the current async flow until the scope is disposed.</summary>
    public IDisposable Install() => Settings.Context(s => s with { Budget = this });

    /// <summary>
    /// Brings <see cref="Used"/>, <see cref="Refusals"/> and <see cref="IsExhausted"/> up to date with the ledger (a no-op
    /// for the in-process ledger; a read of the shared counts for a cluster's).
    /// </summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken = default) => await Ledger.RefreshAsync(cancellationToken);

    /// <summary>
    /// Reserves an upper bound of what a request of <paramref name="model"/> with <paramref name="messages"/> and the merged
    /// request <paramref name="kwargs"/> can use. LMs other than <see cref="LM"/> call this before reaching their provider.
    /// </summary>
    /// <exception cref="BudgetExceededException">The reservation would cross a limit; send nothing.</exception>
    /// <exception cref="InvalidOperationException">A cost limit is set but the model's price is unknown.</exception>
    public ValueTask<BudgetReservation> ReserveAsync(string model, IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?> kwargs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(kwargs);
        var n = kwargs.GetValueOrDefault("n") switch { long l => l, int i => i, double d => (long)d, _ => 1L };
        n = Math.Max(1, n);
        var prompt = (long)Math.Ceiling(EstimatePromptTokens(messages) * Math.Max(1.0, PromptTokenMargin));
        var completion = (kwargs.GetValueOrDefault("max_tokens") ?? kwargs.GetValueOrDefault("max_completion_tokens")) switch
        {
            long l when l >= 0 => l,
            int i when i >= 0 => i,
            double d when d >= 0 => (long)Math.Ceiling(d),
            _ => AssumedCompletionTokens,
        };
        var tokens = n * (prompt + completion);
        double cost = 0;
        if (LMPricing.CostOf(model, n * prompt, n * completion) is { } c) cost = c;
        else if (Limits.MaxCost is not null)
            throw new InvalidOperationException($"A cost limit is set but the price of '{model}' is unknown, so its cost cannot be bounded; use a call or token limit.");
        return ReserveAsync(model, tokens, cost, n, cancellationToken);
    }

    /// <summary>Reserves one call with <paramref name="tokens"/> and <paramref name="cost"/> (upper bounds).</summary>
    /// <exception cref="BudgetExceededException">The reservation would cross a limit.</exception>
    public ValueTask<BudgetReservation> ReserveAsync(string model, long tokens, double cost, CancellationToken cancellationToken = default) =>
        ReserveAsync(model, tokens, cost, 1, cancellationToken);

    /// <summary>Reserves <paramref name="calls"/> provider requests with <paramref name="tokens"/> and <paramref name="cost"/> in all (upper bounds).</summary>
    /// <exception cref="BudgetExceededException">The reservation would cross a limit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="calls"/> is below 1.</exception>
    public async ValueTask<BudgetReservation> ReserveAsync(string model, long tokens, double cost, long calls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        var charge = new LMBudgetCharge(model, tokens, cost, calls);
        var grant = await Ledger.ReserveAsync(charge, cancellationToken);
        if (grant.ReservationId is { } id) return new BudgetReservation(this, id, charge);
        var crossed = grant.RefusedLimit ?? "budget";
        var used = grant.State.Used;
        throw new BudgetExceededException(string.Create(CultureInfo.InvariantCulture,
            $"LM budget exhausted: {(calls > 1 ? $"{calls} calls (n={calls})" : "a call")} to {model} (up to {tokens} tokens) would cross the {crossed} limit ({Limits}); used {Describe(used)}."),
            Limits, used, crossed);
    }

    // What a request is charged: its provider-reported usage; a provider that reports no usage is charged the
    // reservation, the bound it was allowed; a failed request (null) counts as one call with no tokens.
    internal ValueTask SettleAsync(BudgetReservation reservation, LMUsage? usage)
    {
        LMBudgetSettlement settlement;
        if (usage is null) settlement = LMBudgetSettlement.Failed;
        else
        {
            var reported = usage.PromptTokens + usage.CompletionTokens > 0;
            var cost = usage.Cost ?? LMPricing.CostOf(reservation.Model, usage.PromptTokens, usage.CompletionTokens);
            settlement = new LMBudgetSettlement(
                reported ? usage.PromptTokens : reservation.Tokens,
                reported ? usage.CompletionTokens : 0,
                cost is { } c ? (reported ? c : reservation.Cost) : null);
        }
        // Settled even when the caller was cancelled: the request may have reached the provider.
        return Ledger.SettleAsync(reservation.Id, reservation.Charge, settlement, CancellationToken.None);
    }

    /// <summary>The reservation's prompt-token bound: o200k tokens of each message's text plus 4 per message, plus 3.</summary>
    public static long EstimatePromptTokens(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Sum(m => 4L + SimTokenCounter.Count(m.Text)) + 3;
    }

    /// <summary>A short description of a used budget, e.g. <c>12 calls, 3400 tokens, $0.0041</c>.</summary>
    public static string Describe(OptimizerBudget used)
    {
        ArgumentNullException.ThrowIfNull(used);
        return string.Create(CultureInfo.InvariantCulture,
            $"{used.LmCalls} calls, {used.PromptTokens + used.CompletionTokens} tokens{(used.Cost is { } c ? $", ${c:0.######}" : "")}");
    }
}

/// <summary>
/// What one request reserved from an <see cref="LMBudget"/>; settle it exactly once with <see cref="CompleteAsync"/> (the
/// provider's usage) or <see cref="FailAsync"/>.
/// </summary>
public sealed class BudgetReservation
{
    private readonly LMBudget _budget;
    private int _settled;

    internal BudgetReservation(LMBudget budget, string id, LMBudgetCharge charge)
    {
        _budget = budget;
        Id = id;
        Charge = charge;
    }

    /// <summary>The ledger's id of the reservation.</summary>
    public string Id { get; }

    /// <summary>What was reserved.</summary>
    public LMBudgetCharge Charge { get; }

    /// <summary>The model of the request.</summary>
    public string Model => Charge.Model;

    /// <summary>The tokens reserved.</summary>
    public long Tokens => Charge.Tokens;

    /// <summary>The cost reserved, in USD (0 when the price is unknown).</summary>
    public double Cost => Charge.Cost;

    /// <summary>Settles the reservation with the provider's usage.</summary>
    public ValueTask CompleteAsync(LMUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return Interlocked.Exchange(ref _settled, 1) == 0 ? _budget.SettleAsync(this, usage) : ValueTask.CompletedTask;
    }

    /// <summary>Settles the reservation of a request that failed: one call, no tokens.</summary>
    public ValueTask FailAsync() => Interlocked.Exchange(ref _settled, 1) == 0 ? _budget.SettleAsync(this, null) : ValueTask.CompletedTask;
}
