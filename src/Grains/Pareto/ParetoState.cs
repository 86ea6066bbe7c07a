namespace Dspy.Grains;

/// <summary>The persisted front.</summary>
public sealed class ParetoState
{
    /// <summary>Per example id: the best score and the candidates reaching it (all, or in Azure mode the newest, up to the inline limit).</summary>
    public Dictionary<string, ParetoStateCell> Best { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The blob segments holding the other per-example bests (Azure mode), oldest first; null when none.</summary>
    public List<StateSegment>? BestSegments { get; set; }

    /// <summary>The GEPA run's checkpoint, once it saved one, unless it is in <see cref="GepaBlob"/>.</summary>
    public GepaFrontRecord? Gepa { get; set; }

    /// <summary>The blob holding the checkpoint when it is larger than the inline limit (Azure mode), else null.</summary>
    public string? GepaBlob { get; set; }

    /// <summary>The checkpoint's run key (its configuration), kept beside the blob so saves are checked without reading it.</summary>
    public string? GepaRunKey { get; set; }

    /// <summary>The checkpoint's round, kept beside the blob so a late save of an older round is refused without reading it.</summary>
    public int? GepaRound { get; set; }
}

/// <summary>One example's best score and candidates.</summary>
public sealed class ParetoStateCell
{
    /// <summary>The best score.</summary>
    public double Best { get; set; }

    /// <summary>The candidates reaching it, ordered by hash.</summary>
    public List<string> Candidates { get; set; } = [];
}
