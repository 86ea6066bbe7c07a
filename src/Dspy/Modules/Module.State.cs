using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Dspy;

public abstract partial class Module
{
    /// <summary>The DSPy version whose behaviour and file formats this library follows.</summary>
    public const string DspyVersion = "3.3.1";

    /// <summary>
    /// DSPy's <c>deepcopy()</c>: a copy of the whole module graph. Sub-modules, predictors, demos, configs and other
    /// lists/dictionaries are copied, so changing the copy never changes the original; LMs, adapters, callbacks and
    /// immutable objects (signatures, records) are shared by reference. The copy's history is empty.
    /// </summary>
    public Module DeepCopy() => new ModuleCopier().Copy(this);

    /// <summary>DSPy's <c>reset_copy()</c>: a deep copy with every predictor reset (no LM, demos or traces).</summary>
    public Module ResetCopy()
    {
        var copy = DeepCopy();
        foreach (var p in copy.Parameters()) p.Reset();
        return copy;
    }

    /// <summary>
    /// DSPy's <c>dump_state()</c>: <c>{"&lt;predictor path&gt;": predictor state, ...}</c>. A <see cref="Predict"/> overrides
    /// this with its own flat state, so a bare predictor's file has no <c>self</c> key, as in DSPy.
    /// </summary>
    public virtual Dictionary<string, object?> DumpState()
    {
        var state = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, p) in NamedParameters()) state[name] = p.DumpState();
        return state;
    }

    /// <summary>
    /// DSPy's <c>load_state(state)</c>: loads each predictor's state by path. Transactional: the state is first applied
    /// to a deep copy, so a missing key or bad value throws before this module changes.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A predictor path (or a required key inside its state) is missing.</exception>
    public virtual void LoadState(IReadOnlyDictionary<string, object?> state, bool allowUnsafeLmState = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        ApplyState(DeepCopy(), state, allowUnsafeLmState);
        ApplyState(this, state, allowUnsafeLmState);
    }

    private static void ApplyState(Module module, IReadOnlyDictionary<string, object?> state, bool allowUnsafeLmState)
    {
        foreach (var (name, p) in module.NamedParameters())
        {
            if (!state.TryGetValue(name, out var entry)) throw new KeyNotFoundException($"'{name}'");
            var dict = StateDictionary.AsDictionary(entry) ?? throw new InvalidDataException($"The state of '{name}' must be an object.");
            p.LoadState(dict, allowUnsafeLmState);
        }
    }

    /// <summary>
    /// DSPy's <c>save(path)</c> for state files: writes <see cref="DumpState"/> plus <c>"metadata"</c> as JSON indented by
    /// 2 spaces with a final newline. The metadata keeps DSPy's shape, <c>{"dependency_versions": {"dspy": "3.3.1"}}</c>
    /// (only keys Python DSPy also knows, so Python can load the file), and adds <c>"runtime"</c> with the .NET and
    /// library versions. Pickle files and whole-program saving are Python-only.
    /// </summary>
    /// <exception cref="ArgumentException">The path does not end with <c>.json</c>.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.GetExtension(path) != ".json")
        {
            throw new ArgumentException($"`path` must end with `.json` when saving the module state, but received: {path}", nameof(path));
        }
        var state = DumpState();
        state["metadata"] = Metadata();
        File.WriteAllText(path, PythonJson.Dumps(state, ensureAscii: false, indent: 2) + "\n");
    }

    /// <summary>Awaitable <see cref="Save"/>.</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.GetExtension(path) != ".json")
        {
            throw new ArgumentException($"`path` must end with `.json` when saving the module state, but received: {path}", nameof(path));
        }
        var state = DumpState();
        state["metadata"] = Metadata();
        await File.WriteAllTextAsync(path, PythonJson.Dumps(state, ensureAscii: false, indent: 2) + "\n", cancellationToken);
    }

    /// <summary>
    /// DSPy's <c>load(path)</c>: reads a <c>.json</c> state file (also one saved by Python DSPy) and applies it with
    /// <see cref="LoadState"/>. Logs a warning when the saved DSPy version differs.
    /// </summary>
    /// <exception cref="ArgumentException">The path does not end with <c>.json</c>.</exception>
    /// <exception cref="KeyNotFoundException">A predictor's state is missing; nothing was changed.</exception>
    public void Load(string path, bool allowUnsafeLmState = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.GetExtension(path) != ".json")
        {
            throw new ArgumentException($"`path` must end with `.json`, but received: {path}", nameof(path));
        }
        var state = ValueModel.ParseJson(File.ReadAllText(path)) as Dictionary<string, object?>
            ?? throw new InvalidDataException($"{path} does not hold a JSON object.");
        WarnOnVersionMismatch(state);
        LoadState(state, allowUnsafeLmState);
    }

    private static Dictionary<string, object?> Metadata()
    {
        var assembly = typeof(Module).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0) version = version[..plus];
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["dependency_versions"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["dspy"] = DspyVersion },
            ["runtime"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["dotnet"] = $"{Environment.Version.Major}.{Environment.Version.Minor}",
                ["dspy_dotnet"] = version,
            },
        };
    }

    private static void WarnOnVersionMismatch(Dictionary<string, object?> state)
    {
        if (StateDictionary.AsDictionary(state.GetValueOrDefault("metadata")) is not { } metadata) return;
        if (StateDictionary.AsDictionary(metadata.GetValueOrDefault("dependency_versions")) is not { } versions) return;
        if (versions.TryGetValue("dspy", out var saved) && saved is string s && s != DspyVersion)
        {
            DspyLogging.CreateLogger(typeof(Module)).LogWarning(
                "There is a mismatch of dspy version between saved model and current environment. You saved with `dspy=={Saved}`, but now you have `dspy=={Current}`. This might cause errors or performance downgrade on the loaded model, please consider loading the model in the same environment as the saving environment.",
                s, DspyVersion);
        }
    }
}
