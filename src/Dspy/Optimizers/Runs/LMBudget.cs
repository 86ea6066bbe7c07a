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
/// counted per LM request as in <see cref="LMUsage.Calls"/> (retries and the <c>n</c> generations of one request are one call).
/// </para>
/// </remarks>
public sealed class LMBudget
{
    private readonly Lock _lock = new();
    private long _calls, _promptTokens, _completionTokens, _reservedCalls, _reservedTokens;
    private double _cost, _reservedCost;
    private bool _costKnown;
    private int _refusals;

    /// <summary>Creates a budget with <paramref name="limits"/> (null: count only).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative.</exception>
    public LMBudget(BudgetLimits? limits = null)
    {
        Limits = limits ?? BudgetLimits.None;
        Limits.Validate();
    }

    /// <summary>The limits.</summary>
    public BudgetLimits Limits { get; }

    /// <summary>Completion tokens reserved for a request without <c>max_tokens</c> (DSPy's former default, 4000).</summary>
    public long AssumedCompletionTokens { get; init; } = 4000;

    /// <summary>Multiplies the prompt-token estimate (1.0; raise it for providers whose tokenizer counts more than o200k).</summary>
    public double PromptTokenMargin { get; init; } = 1.0;

    /// <summary>What settled requests have used so far.</summary>
    public OptimizerBudget Used
    {
        get
        {
            lock (_lock) return UsedLocked();
        }
    }

    /// <summary>Requests refused so far.</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    /// <summary>True once a request has been refused: the run should stop at its next trial boundary.</summary>
    public bool IsExhausted => Refusals > 0;

    /// <summary>The budget of the current async flow, if any.</summary>
    public static LMBudget? Current => Settings.Current.Budget;

    /// <summary>Installs this budget in the settings of the current async flow until the scope is disposed.</summary>
    public IDisposable Install() => Settings.Context(s => s with { Budget = this });

    /// <summary>
    /// Reserves an upper bound of what a request of <paramref name="model"/> with <paramref name="messages"/> and the merged
    /// request <paramref name="kwargs"/> can use. LMs other than <see cref="LM"/> call this before reaching their provider.
    /// </summary>
    /// <exception cref="BudgetExceededException">The reservation would cross a limit; send nothing.</exception>
    /// <exception cref="InvalidOperationException">A cost limit is set but the model's price is unknown.</exception>
    public BudgetReservation Reserve(string model, IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?> kwargs)
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
        return Reserve(model, tokens, cost);
    }

    /// <summary>Reserves one call with <paramref name="tokens"/> and <paramref name="cost"/> (upper bounds).</summary>
    /// <exception cref="BudgetExceededException">The reservation would cross a limit.</exception>
    public BudgetReservation Reserve(string model, long tokens, double cost)
    {
        lock (_lock)
        {
            string? crossed = null;
            if (Limits.MaxCalls is { } maxCalls && _calls + _reservedCalls + 1 > maxCalls) crossed = "calls";
            else if (Limits.MaxTokens is { } maxTokens && _promptTokens + _completionTokens + _reservedTokens + tokens > maxTokens) crossed = "tokens";
            else if (Limits.MaxCost is { } maxCost && _cost + _reservedCost + cost > maxCost) crossed = "cost";
            if (crossed is not null)
            {
                Interlocked.Increment(ref _refusals);
                var used = UsedLocked();
                throw new BudgetExceededException(string.Create(CultureInfo.InvariantCulture,
                    $"LM budget exhausted: a call to {model} (up to {tokens} tokens) would cross the {crossed} limit ({Limits}); used {Describe(used)}."),
                    Limits, used, crossed);
            }
            _reservedCalls++;
            _reservedTokens += tokens;
            _reservedCost += cost;
            return new BudgetReservation(this, model, tokens, cost);
        }
    }

    internal void Settle(BudgetReservation reservation, LMUsage? usage)
    {
        lock (_lock)
        {
            _reservedCalls--;
            _reservedTokens -= reservation.Tokens;
            _reservedCost -= reservation.Cost;
            _calls++;
            if (usage is null) return; // a failed request: one call, no tokens
            var reported = usage.PromptTokens + usage.CompletionTokens > 0;
            // A provider that reports no usage is charged the reservation, the bound it was allowed.
            _promptTokens += reported ? usage.PromptTokens : reservation.Tokens;
            _completionTokens += reported ? usage.CompletionTokens : 0;
            var cost = usage.Cost ?? LMPricing.CostOf(reservation.Model, usage.PromptTokens, usage.CompletionTokens);
            if (cost is { } c)
            {
                _cost += reported ? c : reservation.Cost;
                _costKnown = true;
            }
        }
    }

    private OptimizerBudget UsedLocked() => new(_calls, _promptTokens, _completionTokens, _costKnown ? _cost : null);

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
/// What one request reserved from an <see cref="LMBudget"/>; settle it exactly once with <see cref="Complete"/> (the
/// provider's usage) or <see cref="Fail"/>.
/// </summary>
public sealed class BudgetReservation
{
    private readonly LMBudget _budget;
    private int _settled;

    internal BudgetReservation(LMBudget budget, string model, long tokens, double cost)
    {
        _budget = budget;
        Model = model;
        Tokens = tokens;
        Cost = cost;
    }

    /// <summary>The model of the request.</summary>
    public string Model { get; }

    /// <summary>The tokens reserved.</summary>
    public long Tokens { get; }

    /// <summary>The cost reserved, in USD (0 when the price is unknown).</summary>
    public double Cost { get; }

    /// <summary>Settles the reservation with the provider's usage.</summary>
    public void Complete(LMUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (Interlocked.Exchange(ref _settled, 1) == 0) _budget.Settle(this, usage);
    }

    /// <summary>Settles the reservation of a request that failed: one call, no tokens.</summary>
    public void Fail()
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0) _budget.Settle(this, null);
    }
}
