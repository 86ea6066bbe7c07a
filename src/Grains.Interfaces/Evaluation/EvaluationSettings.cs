namespace Dspy.Grains;

/// <summary>
/// How a shard evaluates its examples (the value form of <c>ProgramEvaluationRequest</c>'s options): the metric by its
/// registered name, trace capture, demo exclusion, the failure score and the LM keyword overrides as JSON.
/// Together with the candidate hash and the example id it names an evaluation cell.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.EvaluationSettings")]
public sealed record EvaluationSettings
{
    /// <summary>The metric's name in the <c>Metrics</c> registry of every silo.</summary>
    [Id(0)] public required string MetricName { get; init; }

    /// <summary>Capture each example's predictor trace (bootstrapping).</summary>
    [Id(1)] public bool CaptureTraces { get; init; }

    /// <summary>Remove the example from the demos while it runs.</summary>
    [Id(2)] public bool ExcludeExampleFromDemos { get; init; }

    /// <summary>The score of a failed example.</summary>
    [Id(3)] public double FailureScore { get; init; }

    /// <summary>LM keyword overrides (a JSON object), or null.</summary>
    [Id(4)] public string? LmOverridesJson { get; init; }

    /// <summary>Examples a shard runs at once; null means the silo's <c>settings.num_threads</c>.</summary>
    [Id(5)] public int? NumThreads { get; init; }

    /// <summary>A stable text of everything that changes a cell's result (used in shard ids).</summary>
    public string CellKey() =>
        $"{MetricName}\n{CaptureTraces}\n{ExcludeExampleFromDemos}\n{FailureScore.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n{LmOverridesJson}";
}
