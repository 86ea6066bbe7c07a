using System.Collections;
using System.Reflection;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Module</c>: the base class of programs. Override <see cref="ForwardAsync"/> with the program's logic
/// and call programs (and sub-modules) through <see cref="CallAsync(IReadOnlyDictionary{string, object?}, CancellationToken)"/>,
/// which runs callbacks, records the module as a caller for LM history, and attaches LM usage when
/// <see cref="DspySettings.TrackUsage"/> is on. Predictors are discovered from the module's fields and properties
/// (see <see cref="NamedPredictors"/>).
/// </summary>
public abstract partial class Module
{
    private List<object> _history = [];
    private Lock _historyLock = new();

    /// <summary>Creates a module with optional instance callbacks.</summary>
    protected Module(IEnumerable<IDspyCallback>? callbacks = null)
    {
        Callbacks = callbacks?.ToList() ?? [];
    }

    /// <summary>Callbacks of this instance, run after the global ones.</summary>
    public List<IDspyCallback> Callbacks { get; set; }

    /// <summary>
    /// DSPy's <c>_compiled</c>: optimizers set it on the programs they return. A compiled sub-module is frozen: its
    /// predictors are not listed as parameters of the module that contains it.
    /// </summary>
    public bool Compiled { get; set; }

    /// <summary>
    /// LM calls made while this module was running (DSPy's <c>module.history</c>), oldest first, capped at
    /// <see cref="DspySettings.MaxHistorySize"/>. Entries are whatever the LM records.
    /// </summary>
    public IReadOnlyList<object> History
    {
        get
        {
            lock (_historyLock) return _history.ToArray();
        }
    }

    /// <summary>The program's logic (DSPy's <c>forward</c>/<c>aforward</c>). Call modules through <c>CallAsync</c>, not this.</summary>
    protected abstract Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken);

    /// <summary>
    /// DSPy's <c>module(**inputs)</c> / <c>acall</c>: runs <see cref="ForwardAsync"/> between the module callbacks, with this
    /// module added to <see cref="DspySettings.CallerModules"/>. When usage tracking is on and no tracker is active yet,
    /// the call runs under a fresh <see cref="UsageTracker"/> and the merged usage is set on <see cref="Prediction.LmUsage"/>.
    /// </summary>
    /// <remarks>
    /// The call is traced as a <c>module {Type}</c> span on <see cref="DspyTelemetry.Source"/>; the LM and tool spans of
    /// the call nest under it.
    /// </remarks>
    public async Task<Prediction> CallAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var activity = DspyTelemetry.StartModule(this, Settings.Current.CallerModules);
        try
        {
            return await DspyCallbacks.RunAsync(CallbackKind.Module, this, Callbacks, inputs, () => RunForwardAsync(inputs, cancellationToken));
        }
        catch (Exception ex) when (activity is not null)
        {
            DspyTelemetry.Fail(activity, ex);
            throw;
        }
    }

    /// <summary>Calls the module with an example's inputs (DSPy's <c>program(**example.inputs())</c>).</summary>
    /// <exception cref="InvalidOperationException">The example's inputs were never set with <c>WithInputs</c>.</exception>
    public Task<Prediction> CallAsync(Example example, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(example);
        return CallAsync(example.Inputs().ToDictionary(), cancellationToken);
    }

    /// <summary>Calls the module with named inputs: <c>CallAsync(("question", "..."), ("context", ctx))</c>.</summary>
    public Task<Prediction> CallAsync(params (string Name, object? Value)[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in inputs) dict[name] = value;
        return CallAsync(dict, CancellationToken.None);
    }

    /// <summary>
    /// Calls the module with the public properties of an object as inputs (<c>CallAsync(new { question = "..." })</c>), or
    /// with the entries of any string-keyed dictionary.
    /// </summary>
    public Task<Prediction> CallAsync(object inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return CallAsync(InputsFromObject(inputs), cancellationToken);
    }

    private async Task<Prediction> RunForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var current = Settings.Current;
        IReadOnlyList<Module> callers = [.. current.CallerModules, this];
        var tracker = current.TrackUsage && current.UsageTracker is null ? new UsageTracker() : null;
        using (Settings.Context(s => s with { CallerModules = callers, UsageTracker = tracker ?? s.UsageTracker }))
        {
            var output = await ForwardAsync(inputs, cancellationToken)
                ?? throw new InvalidOperationException($"{GetType().Name}.ForwardAsync returned null; modules must return a Prediction.");
            if (tracker is not null) output.LmUsage = tracker.GetTotalTokens();
            return output;
        }
    }

    /// <summary>
    /// Appends an LM history entry to every module in <see cref="DspySettings.CallerModules"/>, as DSPy's
    /// <c>BaseLM.update_history</c> does: nothing when history is disabled or <see cref="DspySettings.MaxHistorySize"/> is 0,
    /// oldest entries dropped beyond the cap. LM implementations call this once per call.
    /// </summary>
    public static void RecordHistoryForCallers(object entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var settings = Settings.Current;
        if (settings.DisableHistory || settings.MaxHistorySize <= 0) return;
        foreach (var module in settings.CallerModules) module.AddHistoryEntry(entry, settings.MaxHistorySize);
    }

    private void AddHistoryEntry(object entry, int maxSize)
    {
        lock (_historyLock)
        {
            _history.Add(entry);
            if (_history.Count > maxSize) _history.RemoveRange(0, _history.Count - maxSize);
        }
    }

    /// <summary>Clears this module's history.</summary>
    public void ClearHistory()
    {
        lock (_historyLock) _history.Clear();
    }

    /// <summary>Called on a fresh deep copy: a copy starts with an empty history (DSPy drops history when copying).</summary>
    internal void InitializeAfterCopy()
    {
        _history = [];
        _historyLock = new Lock();
    }

    private static Dictionary<string, object?> InputsFromObject(object inputs)
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        switch (inputs)
        {
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (k, v) in pairs) dict[k] = v;
                break;
            case IDictionary d:
                foreach (DictionaryEntry e in d) dict[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)!] = e.Value;
                break;
            default:
                foreach (var p in inputs.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (p.GetIndexParameters().Length == 0) dict[p.Name] = p.GetValue(inputs);
                }
                break;
        }
        return dict;
    }

    /// <summary>DSPy's repr: one line <c>name = predictor</c> per named predictor.</summary>
    public override string ToString() => string.Join("\n", NamedPredictors().Select(p => $"{p.Name} = {p.Predictor}"));
}
