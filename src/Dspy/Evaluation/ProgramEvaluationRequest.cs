namespace Dspy;

/// <summary>
/// What an <see cref="IProgramEvaluator"/> runs: a program (by its structure and state), examples, a metric and the
/// options of DSPy's evaluation loops. Everything in it can be described by value (the program by
/// <c>Module.DumpState</c> over a known structure, the metric by name), so a cluster can ship it to other machines.
/// </summary>
public sealed record ProgramEvaluationRequest
{
    /// <summary>The program to run; evaluators do not change it (they may copy it).</summary>
    public required Module Program { get; init; }

    /// <summary>The examples, in order; results come back in the same order.</summary>
    public required IReadOnlyList<Example> Examples { get; init; }

    /// <summary>Scores each prediction (with the trace as its third argument when <see cref="CaptureTraces"/> is set).</summary>
    public required Metric Metric { get; init; }

    /// <summary>
    /// Run each example under its own <c>settings.trace</c> and return its steps (DSPy's bootstrapping); the metric then
    /// receives the trace, as DSPy's <c>metric(example, prediction, trace)</c> does while bootstrapping.
    /// </summary>
    public bool CaptureTraces { get; init; }

    /// <summary>
    /// Remove the example being run from every predictor's demos while it runs (BootstrapFewShot does this so a teacher
    /// never sees the answer it is asked for).
    /// </summary>
    public bool ExcludeExampleFromDemos { get; init; }

    /// <summary>
    /// LM keyword overrides for this evaluation (e.g. <c>rollout_id</c> and <c>temperature</c> for a bootstrap round),
    /// applied with <c>LM.Copy</c> to the configured LM. Part of the cell identity.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? LmOverrides { get; init; }

    /// <summary>The score of an example whose program or metric failed (DSPy's <c>failure_score</c>).</summary>
    public double FailureScore { get; init; }

    /// <summary>Examples run at once; null means <c>settings.num_threads</c>. Results never depend on it.</summary>
    public int? NumThreads { get; init; }

    /// <summary>Failures tolerated before the evaluation stops with <see cref="MaxErrorsExceededException"/>; null means no limit.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>A label for progress and logs (e.g. <c>bootstrap</c>, <c>minibatch</c>, <c>full</c>); not part of the cell identity.</summary>
    public string? Phase { get; init; }
}
