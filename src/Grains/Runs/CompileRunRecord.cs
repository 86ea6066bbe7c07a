namespace Dspy.Grains;

/// <summary>The persisted state of a compile run.</summary>
public sealed class CompileRunRecord
{
    /// <summary>The configuration, once started; without its id lists and starting program when it is in <see cref="ConfigBlob"/>.</summary>
    public CompileRunConfig? Config { get; set; }

    /// <summary>The blob holding the whole configuration when it is larger than the inline limit (Azure mode), else null.</summary>
    public string? ConfigBlob { get; set; }

    /// <summary>The lifecycle state.</summary>
    public CompileRunState State { get; set; }

    /// <summary>Starts on a silo so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The latest events (at most 500, and at most 128 KiB of them).</summary>
    public List<RunProgressEvent> Events { get; set; } = [];

    /// <summary>The index the next event gets.</summary>
    public int NextEventIndex { get; set; }

    /// <summary>The unoptimized program's score.</summary>
    public double? BaselineScore { get; set; }

    /// <summary>The optimized program's score.</summary>
    public double? OptimizedScore { get; set; }

    /// <summary>The optimized program state, unless it is in <see cref="ResultStateBlob"/>.</summary>
    public string? ResultStateJson { get; set; }

    /// <summary>The blob holding the optimized program state when it is larger than the inline limit (Azure mode), else null.</summary>
    public string? ResultStateBlob { get; set; }

    /// <summary>The error of a failed run.</summary>
    public string? Error { get; set; }

    /// <summary>The run's LM budget after the optimization, when it has limits.</summary>
    public RunBudgetSnapshot? Budget { get; set; }

    /// <summary>The provider calls of each phase, read from the run's budget grain when the run ended.</summary>
    public Dictionary<string, RunPhaseUsage>? LmUsage { get; set; }
}
