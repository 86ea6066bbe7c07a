namespace Dspy.Grains;

/// <summary>The persisted state of a run budget grain (small: counts and the open reservations).</summary>
public sealed class RunBudgetRecord
{
    /// <summary>The limits, once the first reservation brought them.</summary>
    public RunBudgetLimits? Limits { get; set; }

    /// <summary>Settled calls (reservations charged on expiry included).</summary>
    public long Calls { get; set; }

    /// <summary>Their prompt tokens.</summary>
    public long PromptTokens { get; set; }

    /// <summary>Their completion tokens.</summary>
    public long CompletionTokens { get; set; }

    /// <summary>Their cost in USD, or null while no price is known.</summary>
    public double? Cost { get; set; }

    /// <summary>Refused calls.</summary>
    public long Refusals { get; set; }

    /// <summary>Reservations charged when their lease ran out.</summary>
    public long Expired { get; set; }

    /// <summary>The version of the counts.</summary>
    public long Version { get; set; }

    /// <summary>The number of the last reservation id handed out.</summary>
    public long LastReservation { get; set; }

    /// <summary>The open reservations.</summary>
    public List<RunBudgetHold> Open { get; set; } = [];

    /// <summary>Every provider call of the run by phase (<see cref="RunPhases"/>), charged or not.</summary>
    public Dictionary<string, RunPhaseUsage> Phases { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One open reservation of a run budget.</summary>
public sealed class RunBudgetHold
{
    /// <summary>The reservation id.</summary>
    public string Id { get; set; } = "";

    /// <summary>The request's model.</summary>
    public string Model { get; set; } = "";

    /// <summary>Tokens reserved.</summary>
    public long Tokens { get; set; }

    /// <summary>Cost reserved in USD.</summary>
    public double Cost { get; set; }

    /// <summary>Who holds it (a silo address).</summary>
    public string? Holder { get; set; }

    /// <summary>When it is charged at its bound unless settled before.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Provider requests held (the request's <c>n</c>; 0 in records written before it was kept, read as 1).</summary>
    public long Calls { get; set; }

    /// <summary>The run phase the call is counted in (empty in records written before it was kept, read as compile).</summary>
    public string Phase { get; set; } = "";
}
