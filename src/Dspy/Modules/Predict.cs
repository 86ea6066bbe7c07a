using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Predict</c>, the one LM-calling module: formats the signature, demos and inputs with the adapter,
/// calls the LM and parses the outputs into a <see cref="Prediction"/> (with all generations as completions).
/// Inputs are keyword-style: a dictionary keyed by input field names, plus the reserved keys <c>signature</c>,
/// <c>demos</c>, <c>config</c> (per-call LM kwargs) and <c>lm</c>.
/// </summary>
public class Predict : Module, IPredictor
{
    // Resolved per use so a factory set by the host after this type was loaded is honoured.
    private static ILogger Log => DspyLogging.CreateLogger(typeof(Predict));

    /// <summary>Creates a predictor for <paramref name="signature"/>; <paramref name="config"/> are default LM kwargs.</summary>
    public Predict(Signature signature, IReadOnlyDictionary<string, object?>? config = null, IEnumerable<IDspyCallback>? callbacks = null)
        : base(callbacks)
    {
        ArgumentNullException.ThrowIfNull(signature);
        Signature = signature;
        Config = config is null ? new(StringComparer.Ordinal) : new(config, StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public Signature Signature { get; set; }

    /// <inheritdoc/>
    public List<Example> Demos { get; set; } = [];

    /// <inheritdoc/>
    public BaseLM? Lm { get; set; }

    /// <summary>Default LM kwargs of every call (DSPy's <c>**config</c>); a call's <c>config</c> overrides them.</summary>
    public Dictionary<string, object?> Config { get; set; }

    /// <summary>DSPy's <c>traces</c> state list (kept for save-file compatibility).</summary>
    public List<object?> Traces { get; set; } = [];

    /// <summary>DSPy's <c>train</c> state list (kept for save-file compatibility).</summary>
    public List<object?> Train { get; set; } = [];

    /// <inheritdoc/>
    public void Reset()
    {
        Lm = null;
        Traces = [];
        Train = [];
        Demos = [];
    }

    /// <summary>DSPy's <c>update_config(**kwargs)</c>: merges kwargs into <see cref="Config"/>.</summary>
    public void UpdateConfig(IReadOnlyDictionary<string, object?> kwargs)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        var merged = new Dictionary<string, object?>(Config, StringComparer.Ordinal);
        foreach (var (k, v) in kwargs) merged[k] = v;
        Config = merged;
    }

    /// <summary>DSPy's <c>update_config(k=v, ...)</c>.</summary>
    public void UpdateConfig(params (string Key, object? Value)[] kwargs) =>
        UpdateConfig(kwargs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    /// <summary>DSPy's <c>get_config()</c>.</summary>
    public IReadOnlyDictionary<string, object?> GetConfig() => Config;

    /// <inheritdoc/>
    public override Dictionary<string, object?> DumpState() => new(StringComparer.Ordinal)
    {
        ["traces"] = ValueModel.FromClr(Traces),
        ["train"] = ValueModel.FromClr(Train),
        ["demos"] = Demos.Select(d => (object?)ValueModel.FromClr(d.ToDictionary())).ToList(),
        ["signature"] = Signature.DumpState(),
        ["lm"] = Lm is null ? null : LmState.Dump(Lm),
    };

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, object?> state, bool allowUnsafeLmState = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.ContainsKey("extended_signature"))
        {
            throw new NotSupportedException("Loading extended_signature is no longer supported in DSPy 2.6+");
        }
        // Read everything first so a bad state leaves this predictor unchanged.
        var signatureState = StateDictionary.AsDictionary(StateDictionary.Required(state, "signature"))
            ?? throw new InvalidDataException("Predictor state: 'signature' must be an object.");
        var lmState = StateDictionary.Required(state, "lm");
        var signature = Signature.LoadState(signatureState);
        var lmDict = lmState is null
            ? null
            : StateDictionary.AsDictionary(lmState) ?? throw new InvalidDataException("Predictor state: 'lm' must be an object or null.");
        // DSPy tests the state for truthiness, so an empty object also means "no LM".
        var lm = lmDict is null || lmDict.Count == 0 ? null : LmState.Load(lmDict, allowUnsafeLmState);
        var demos = state.TryGetValue("demos", out var d) ? ToDemos(d) : null;
        var traces = state.TryGetValue("traces", out var t) ? ToList(t, "traces") : null;
        var train = state.TryGetValue("train", out var tr) ? ToList(tr, "train") : null;

        Signature = signature;
        Lm = lm;
        if (demos is not null) Demos = demos;
        if (traces is not null) Traces = traces;
        if (train is not null) Train = train;
    }

    /// <summary>Copies signature, demos, LM, config and state lists from another predictor (used by <c>MapNamedPredictors</c>).</summary>
    internal void CopyStateFrom(Predict other)
    {
        Signature = other.Signature;
        Demos = [.. other.Demos];
        Lm = other.Lm;
        Config = new(other.Config, StringComparer.Ordinal);
        Traces = [.. other.Traces];
        Train = [.. other.Train];
    }

    /// <summary>
    /// The required input fields of <paramref name="signature"/> (default: this predictor's) that
    /// <paramref name="inputs"/> lacks: fields without a default whose type does not allow None.
    /// </summary>
    public IReadOnlyList<string> MissingInputs(IReadOnlyDictionary<string, object?> inputs, Signature? signature = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        signature ??= Signature;
        return signature.InputFields
            .Where(f => !inputs.ContainsKey(f.Name) && !f.HasDefault && !f.Type.AllowsNone)
            .Select(f => f.Name)
            .ToList();
    }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var call = Preprocess(inputs);
        var adapter = Settings.Current.Adapter ?? new ChatAdapter();
        var completions = await adapter.CallAsync(call.Lm, call.Config, call.Signature, call.Demos, call.Inputs, cancellationToken);
        return Postprocess(completions, call);
    }

    private sealed record PreparedCall(BaseLM Lm, Dictionary<string, object?> Config, Signature Signature, IReadOnlyList<Example> Demos,
        Dictionary<string, object?> Inputs, bool Trace);

    private PreparedCall Preprocess(IReadOnlyDictionary<string, object?> callInputs)
    {
        var kwargs = new Dictionary<string, object?>(callInputs, StringComparer.Ordinal);
        var settings = Settings.Current;

        var signature = Pop(kwargs, "signature", out var s) ? s switch
        {
            Signature sig => sig,
            null => Signature,
            _ => throw new ArgumentException($"`signature` must be a Signature, not {s.GetType().Name}."),
        } : Signature;
        var demos = Pop(kwargs, "demos", out var dv) && dv is not null ? ToDemos(dv) : Demos;
        var config = new Dictionary<string, object?>(Config, StringComparer.Ordinal);
        if (Pop(kwargs, "config", out var cv) && cv is not null)
        {
            var extra = StateDictionary.AsDictionary(cv) ?? throw new ArgumentException("`config` must be a dictionary of LM kwargs.");
            foreach (var (k, v) in extra) config[k] = v;
        }
        var trace = !Pop(kwargs, "_trace", out var tv) || tv is not false;

        var lmValue = Pop(kwargs, "lm", out var l) ? l ?? Lm : Lm;
        var lm = ResolveLm(lmValue ?? settings.Lm);

        // If temperature is unset or <= 0.15 and n > 1, DSPy sets temperature 0.7 to keep the generations diverse.
        // Python's `or` treats 0 as unset, so a zero in config falls through to the LM's default.
        var temperature = Truthy(config.GetValueOrDefault("temperature")) ?? Truthy(lm.Kwargs.GetValueOrDefault("temperature"));
        var n = Truthy(config.GetValueOrDefault("n")) ?? Truthy(lm.Kwargs.GetValueOrDefault("n")) ?? Truthy(lm.Kwargs.GetValueOrDefault("num_generations")) ?? 1;
        if ((temperature is null || temperature <= 0.15) && n > 1) config["temperature"] = 0.7;

        // OpenAI predicted outputs travel as an LM kwarg, not an input.
        if (kwargs.TryGetValue("prediction", out var pv) && StateDictionary.AsDictionary(pv) is { } pd
            && pd.GetValueOrDefault("type") is "content" && pd.ContainsKey("content"))
        {
            config["prediction"] = pv;
            kwargs.Remove("prediction");
        }

        foreach (var f in signature.InputFields)
        {
            if (!kwargs.ContainsKey(f.Name) && f.HasDefault) kwargs[f.Name] = f.DefaultValue;
        }

        var extraFields = kwargs.Keys.Where(k => signature[k] is not { IsInput: true }).ToList();
        if (extraFields.Count > 0)
        {
            Log.LogWarning("Input contains fields not in signature. These fields will be ignored: {Extra}. Expected fields: {Expected}.",
                ReprNames(extraFields), ReprNames(signature.InputFields.Select(f => f.Name)));
        }

        if (settings.WarnOnTypeMismatch)
        {
            foreach (var f in signature.InputFields)
            {
                if (!kwargs.TryGetValue(f.Name, out var value) || value is null || f.IsTypeUndefined) continue;
                if (!InputTypeCheck.IsCompatible(value, f.Type))
                {
                    Log.LogWarning("Type mismatch for field '{Field}': expected {Type} based on given Signature, but the provided value is incompatible: {Value}.",
                        f.Name, f.Type.PythonName, PythonRepr.Str(value));
                }
            }
        }

        var missing = signature.InputFields.Where(f => !kwargs.ContainsKey(f.Name) && !f.Type.AllowsNone).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            var present = signature.InputFields.Where(f => kwargs.ContainsKey(f.Name)).Select(f => f.Name);
            var message = $"Not all input fields were provided to module. Present: {ReprNames(present)}. Missing: {ReprNames(missing)}.";
            if (settings.StrictInputs) throw new ArgumentException(message);
            Log.LogWarning("{Message}", message);
        }

        return new PreparedCall(lm, config, signature, demos, kwargs, trace);
    }

    private Prediction Postprocess(IReadOnlyList<Dictionary<string, object?>> completions, PreparedCall call)
    {
        var prediction = Prediction.FromCompletions(completions.Select(c => (IReadOnlyDictionary<string, object?>)c), call.Signature);
        var settings = Settings.Current;
        if (call.Trace && settings.MaxTraceSize > 0)
        {
            settings.Trace.Add(new TraceStep(this, new Dictionary<string, object?>(call.Inputs, StringComparer.Ordinal), prediction), settings.MaxTraceSize);
        }
        return prediction;
    }

    private static BaseLM ResolveLm(object? lm) => lm switch
    {
        BaseLM b => b,
        null => throw new InvalidOperationException(
            "No LM is loaded. Please configure the LM using `dspy.configure(lm=dspy.LM(...))`. e.g, `dspy.configure(lm=dspy.LM('openai/gpt-4o-mini'))`"),
        string name => throw new ArgumentException(
            $"LM must be an instance of `dspy.BaseLM`, not a string. Instead of using a string like 'dspy.configure(lm=\"{name}\")', please configure the LM like 'dspy.configure(lm=dspy.LM(\"{name}\"))'"),
        _ => throw new ArgumentException($"LM must be an instance of `dspy.BaseLM`, not {lm.GetType()}. Received `lm={lm}`."),
    };

    private static bool Pop(Dictionary<string, object?> d, string key, out object? value) => d.Remove(key, out value);

    // Python truthiness for numeric kwargs: None, 0 and 0.0 count as unset.
    private static double? Truthy(object? value)
    {
        if (value is null or bool) return value is true ? 1 : null;
        if (value is not IConvertible) return null;
        var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return d == 0 ? null : d;
    }

    private static string ReprNames(IEnumerable<string> names) => PythonRepr.Repr(names.Cast<object?>().ToList());

    private static List<Example> ToDemos(object? value) => value switch
    {
        IEnumerable<Example> examples => examples.ToList(),
        IEnumerable items and not string => items.Cast<object?>().Select(item => item switch
        {
            Example e => e,
            _ => new Example(StateDictionary.AsDictionary(item) ?? throw new InvalidDataException("Each demo must be an object.")),
        }).ToList(),
        _ => throw new InvalidDataException("`demos` must be a list."),
    };

    private static List<object?> ToList(object? value, string name) => value switch
    {
        null => [],
        IEnumerable items and not string => items.Cast<object?>().ToList(),
        _ => throw new InvalidDataException($"Predictor state: '{name}' must be a list."),
    };

    /// <summary>DSPy's repr: <c>Predict(StringSignature(question -> answer ...))</c>.</summary>
    public override string ToString() => $"{GetType().Name}({Signature})";
}
