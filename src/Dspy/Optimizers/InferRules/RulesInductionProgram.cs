namespace Dspy;

/// <summary>
/// DSPy's <c>RulesInductionProgram</c>: a <see cref="ChainOfThought"/> over <c>examples_text -&gt; natural_language_rules</c>
/// whose instructions ask for <c>num_rules</c> concise, non-redundant, actionable rules. Each call runs under the teacher
/// settings with a copy of the configured LM at temperature 1.0 and a fresh <c>rollout_id</c> drawn from the program's own
/// seeded generator (<c>randint(0, 10**9)</c>), so successive calls propose different rules and miss the cache.
/// </summary>
public sealed class RulesInductionProgram : Module
{
    private readonly ChainOfThought _rulesInduction;

    [DspyIgnore]
    private readonly Func<DspySettings, DspySettings>? _teacherSettings;

    [DspyIgnore]
    private readonly PythonRandom _rng;

    [DspyIgnore]
    private readonly Lock _rngLock = new();

    /// <summary>Creates the program asking for <paramref name="numRules"/> rules.</summary>
    public RulesInductionProgram(int numRules, Func<DspySettings, DspySettings>? teacherSettings = null, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numRules, 1);
        _rulesInduction = new ChainOfThought(CreateSignature(numRules));
        _teacherSettings = teacherSettings;
        _rng = new PythonRandom(seed);
    }

    /// <summary>DSPy's <c>CustomRulesInduction</c> signature for <paramref name="numRules"/> rules.</summary>
    public static Signature CreateSignature(int numRules) =>
        Signature.Parse("examples_text -> natural_language_rules",
                $"Given a set of examples, extract a list of {numRules} concise and non-redundant natural language rules that provide clear "
                + "guidance for performing the task. All rules should be actionable for a well-specified scope of examples of this general kind of task.")
            .WithUpdatedField("examples_text", desc: "Text containing examples")
            .WithUpdatedField("natural_language_rules", desc: "Induced natural language rules");

    /// <summary>Induces rules from <paramref name="examplesText"/> and returns them stripped.</summary>
    public async Task<string> InduceAsync(string examplesText, CancellationToken cancellationToken = default)
    {
        var prediction = await CallAsync(new Dictionary<string, object?>(StringComparer.Ordinal) { ["examples_text"] = examplesText }, cancellationToken);
        return PythonText.Strip(PythonRepr.Str(prediction["natural_language_rules"]));
    }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        using (Settings.Context(s => _teacherSettings?.Invoke(s) ?? s))
        {
            int rolloutId;
            lock (_rngLock) rolloutId = _rng.RandInt(0, 1_000_000_000);
            var lm = Settings.Current.Lm ?? throw new InvalidOperationException("No LM is loaded; InferRules induces rules with the configured LM.");
            var fresh = lm.Copy(new Dictionary<string, object?>(StringComparer.Ordinal) { ["rollout_id"] = rolloutId, ["temperature"] = 1.0 });
            using (Settings.Context(s => s with { Lm = fresh }))
            {
                var prediction = await _rulesInduction.CallAsync(inputs, cancellationToken);
                return new Prediction { ["natural_language_rules"] = prediction["natural_language_rules"] };
            }
        }
    }
}
