namespace Dspy.Grains;

/// <summary>A reservation asked of a run's budget grain: its calls (the request's <c>n</c>) with an upper bound of tokens and cost.</summary>
[GenerateSerializer, Immutable, Alias("dspy.RunBudgetRequest")]
public sealed record RunBudgetRequest
{
    /// <summary>The run's limits; a budget grain that has none yet takes these (later ones do not change them).</summary>
    [Id(0)] public required RunBudgetLimits Limits { get; init; }

    /// <summary>The request's model (for diagnostics).</summary>
    [Id(1)] public required string Model { get; init; }

    /// <summary>Tokens (prompt plus completion) the call may use at most.</summary>
    [Id(2)] public long Tokens { get; init; }

    /// <summary>The cost in USD the call may have at most.</summary>
    [Id(3)] public double Cost { get; init; }

    /// <summary>Who holds the reservation (a silo address; for diagnostics).</summary>
    [Id(4)] public string? Holder { get; init; }

    /// <summary>
    /// How long the reservation is held without being settled; after that the holder is taken as gone and the
    /// reservation is charged at its bound (its call may have reached the provider).
    /// </summary>
    [Id(5)] public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Provider requests the call makes (a request for <c>n</c> generations is <c>n</c>).</summary>
    [Id(6)] public long Calls { get; init; } = 1;

    /// <summary>The run phase the call is counted in once settled (<see cref="RunPhases"/>).</summary>
    [Id(7)] public string Phase { get; init; } = RunPhases.Compile;

    /// <summary>Checks the request.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Limits);
        Limits.Validate();
        ArgumentException.ThrowIfNullOrEmpty(Model);
        if (!RunPhases.IsKnown(Phase)) throw new ArgumentException($"Unknown run phase '{Phase}'.", nameof(Phase));
        if (Calls < 1) throw new ArgumentOutOfRangeException(nameof(Calls), Calls, "A reservation holds at least one call.");
        if (Tokens < 0) throw new ArgumentOutOfRangeException(nameof(Tokens), Tokens, "Reserved tokens must not be negative.");
        if (!double.IsFinite(Cost) || Cost < 0) throw new ArgumentOutOfRangeException(nameof(Cost), Cost, "Reserved cost must be a finite, non-negative number of USD.");
        if (Lease <= TimeSpan.Zero || Lease > TimeSpan.FromDays(1)) throw new ArgumentOutOfRangeException(nameof(Lease), Lease, "The lease must be positive and at most one day.");
    }
}

/// <summary>A run budget grain's answer to a reservation: granted with an id, or refused naming the limit.</summary>
[GenerateSerializer, Immutable, Alias("dspy.RunBudgetGrant")]
public sealed record RunBudgetGrant
{
    /// <summary>The reservation's id (settle it with <see cref="IRunBudgetGrain.SettleAsync"/>), when granted.</summary>
    [Id(0)] public string? ReservationId { get; init; }

    /// <summary>The limit the call would cross (<c>calls</c>, <c>tokens</c> or <c>cost</c>), when refused.</summary>
    [Id(1)] public string? RefusedLimit { get; init; }

    /// <summary>The budget after the decision.</summary>
    [Id(2)] public required RunBudgetSnapshot Snapshot { get; init; }
}

/// <summary>What a settled call used (the value form of <see cref="LMBudgetSettlement"/>).</summary>
[GenerateSerializer, Immutable, Alias("dspy.RunBudgetUsage")]
public sealed record RunBudgetUsage
{
    /// <summary>Prompt tokens.</summary>
    [Id(0)] public long PromptTokens { get; init; }

    /// <summary>Completion tokens.</summary>
    [Id(1)] public long CompletionTokens { get; init; }

    /// <summary>The cost in USD, or null when the price is unknown.</summary>
    [Id(2)] public double? Cost { get; init; }
}
