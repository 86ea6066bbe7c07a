using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's <c>BaseLM</c>: a language model that modules and adapters call. <see cref="Kwargs"/> hold the default request
/// settings in DSPy's names (<c>temperature</c>, <c>max_tokens</c>, <c>n</c>, <c>rollout_id</c>, <c>response_format</c>, <c>tools</c> ...);
/// per-call kwargs override them. <c>LM</c> is the implementation over Microsoft.Extensions.AI.
/// </summary>
public abstract class BaseLM
{
    /// <summary>Creates an LM for <paramref name="model"/> (<c>provider/name</c>).</summary>
    protected BaseLM(string model, string modelType = "chat", IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        Model = model;
        ModelType = modelType;
        Kwargs = kwargs is null ? new(StringComparer.Ordinal) : new(kwargs, StringComparer.Ordinal);
    }

    /// <summary>The model name, <c>provider/name</c>.</summary>
    public string Model { get; }

    /// <summary><c>chat</c>, <c>text</c> or <c>responses</c>.</summary>
    public string ModelType { get; }

    /// <summary>Default request settings in DSPy's names, sent with every call.</summary>
    public Dictionary<string, object?> Kwargs { get; }

    /// <summary>True if the model can call tools natively.</summary>
    public virtual bool SupportsFunctionCalling => false;

    /// <summary>True if the model accepts a JSON schema as its response format.</summary>
    public virtual bool SupportsResponseSchema => false;

    /// <summary>True if the model reasons natively.</summary>
    public virtual bool SupportsReasoning => false;

    /// <summary>The request parameters the provider accepts (e.g. <c>response_format</c>).</summary>
    public virtual IReadOnlySet<string> SupportedParams => new HashSet<string>();

    /// <summary>
    /// Sends <paramref name="messages"/> with <see cref="Kwargs"/> overridden by <paramref name="kwargs"/> and returns every
    /// generation. Implementations record history and usage.
    /// </summary>
    public abstract Task<LMResponse> CallAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default);

    /// <summary>DSPy's <c>lm.copy(**kwargs)</c>: a copy with its own history and kwargs; a null value removes a kwarg.</summary>
    public abstract BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null);

    /// <summary>This LM's call history (DSPy's <c>lm.history</c>), capped by <see cref="DspySettings.MaxHistorySize"/>.</summary>
    public LMHistoryLog History { get; } = new();

    /// <summary>Prints this LM's last <paramref name="n"/> calls in DSPy's <c>inspect_history</c> layout.</summary>
    public void InspectHistory(int n = 1, TextWriter? writer = null) => HistoryPrinter.Print(History.Entries, n, writer);

    /// <summary>
    /// DSPy's <c>update_history</c>: records <paramref name="entry"/> in the global history (cap 10,000) and in this LM's
    /// history (cap <see cref="DspySettings.MaxHistorySize"/>); nothing when <see cref="DspySettings.DisableHistory"/> is set,
    /// and no per-LM entry when the cap is 0.
    /// </summary>
    protected void UpdateHistory(LMHistoryEntry entry)
    {
        var settings = Settings.Current;
        if (settings.DisableHistory) return;
        LMHistory.Global.Add(entry, LMHistory.MaxGlobalHistorySize);
        if (settings.MaxHistorySize <= 0) return;
        History.Add(entry, settings.MaxHistorySize);
        Module.RecordHistoryForCallers(entry);
    }

    /// <summary>DSPy's <c>dump_state</c>: the model, model type and kwargs (never the API key).</summary>
    public virtual Dictionary<string, object?> DumpState()
    {
        var state = new Dictionary<string, object?>(StringComparer.Ordinal) { ["model"] = Model, ["model_type"] = ModelType };
        foreach (var (k, v) in Kwargs)
        {
            if (k != "api_key") state[k] = v;
        }
        return state;
    }
}
