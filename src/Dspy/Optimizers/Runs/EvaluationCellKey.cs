namespace Dspy;

/// <summary>
/// The identity of an evaluation cell (DESIGN invariant 2): what determines an example's prediction, score and trace.
/// It is the SHA-256 of the canonical JSON of: the program-state hash (type plus <c>Module.DumpState</c>), the example
/// hash (its fields and input keys), the LM configuration (the flow's LM <c>DumpState</c> with the request's overrides
/// and the adapter's type), the metric's name, and the capture-traces and exclude-example-from-demos flags.
/// </summary>
/// <remarks>
/// The metric is known by name only, so two different metrics with one name would share cells: give metrics distinct
/// names within a run (the run manifest records the metric name as well).
/// </remarks>
public static class EvaluationCellKey
{
    /// <summary>The hash of a program's structure and state.</summary>
    /// <exception cref="NotSupportedException">The state holds a value canonical JSON cannot render.</exception>
    public static string ProgramHash(Module program)
    {
        ArgumentNullException.ThrowIfNull(program);
        return CanonicalJson.Sha256Hex(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = program.GetType().FullName,
            ["predictors"] = program.NamedPredictors().Select(p => (object?)p.Name).ToList(),
            ["state"] = program.DumpState(),
        });
    }

    /// <summary>The hash of an example's fields and input keys.</summary>
    public static string ExampleHash(Example example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return CanonicalJson.Sha256Hex(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["values"] = example.ToDictionary(),
            ["inputs"] = example.InputKeys?.Order(StringComparer.Ordinal).Select(k => (object?)k).ToList(),
        });
    }

    /// <summary>The LM configuration of the current flow with <paramref name="overrides"/> applied, as a hash.</summary>
    public static string LmHash(IReadOnlyDictionary<string, object?>? overrides)
    {
        var settings = Settings.Current;
        var lm = settings.Lm?.DumpState() ?? new Dictionary<string, object?>(StringComparer.Ordinal);
        lm.Remove("api_key");
        lm.Remove("api_base");
        lm.Remove("base_url");
        return CanonicalJson.Sha256Hex(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["lm"] = lm,
            ["overrides"] = overrides?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            ["adapter"] = settings.Adapter?.GetType().FullName,
        });
    }

    /// <summary>The cell key of one example of a request whose program and LM hashes are already computed.</summary>
    public static string Compute(string programHash, string exampleHash, string lmHash, string metricName, bool captureTraces, bool excludeExampleFromDemos)
        => CanonicalJson.Sha256Hex(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["program"] = programHash,
            ["example"] = exampleHash,
            ["lm"] = lmHash,
            ["metric"] = metricName,
            ["capture_traces"] = captureTraces,
            ["exclude_example_from_demos"] = excludeExampleFromDemos,
        });
}
