using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.LM</c> over Microsoft.Extensions.AI: <c>new LM("openai/gpt-4o-mini")</c>, <c>"azure/&lt;deployment&gt;"</c>,
/// <c>"anthropic/&lt;model&gt;"</c>, <c>"ollama_chat/&lt;model&gt;"</c>, <c>"sim"</c> ... resolve to an <see cref="IChatClient"/>
/// through <see cref="LMProviders"/> on the first call (construction makes no network call), or pass any
/// <see cref="IChatClient"/> directly. Calls go through DSPy's request cache (<see cref="Dspy.Cache"/>), retries with
/// exponential backoff honouring Retry-After, typed errors (<see cref="LMError"/>), usage/cost tracking and history.
/// </summary>
public sealed partial class LM : BaseLM
{
    private readonly IChatClient? _customClient;
    private readonly Lock _clientLock = new();
    private IChatClient? _client;
    private int _warnedZeroTempRollout;

    /// <summary>
    /// Creates an LM for <paramref name="model"/> (<c>provider/name</c>). <paramref name="kwargs"/> are DSPy's extra
    /// <c>**kwargs</c> (<c>n</c>, <c>rollout_id</c>, <c>reasoning_effort</c>, <c>api_version</c> ...), sent with every call.
    /// </summary>
    /// <exception cref="LMConfigurationError">A reasoning model is given a temperature other than 1.0 or fewer than 16000 max tokens.</exception>
    public LM(string model, double? temperature = null, long? maxTokens = null, bool cache = true, int numRetries = 3,
        string modelType = "chat", string? apiKey = null, string? apiBase = null, IReadOnlyDictionary<string, object?>? kwargs = null)
        : this(model, null, temperature, maxTokens, cache, numRetries, modelType, apiKey, apiBase, kwargs)
    {
    }

    /// <summary>Creates an LM that sends its requests to <paramref name="chatClient"/>; <paramref name="model"/> names it (<c>custom/model</c>).</summary>
    public LM(string model, IChatClient chatClient, double? temperature = null, long? maxTokens = null, bool cache = true, int numRetries = 3,
        string modelType = "chat", IReadOnlyDictionary<string, object?>? kwargs = null, LMCapabilities? capabilities = null)
        : this(model, chatClient ?? throw new ArgumentNullException(nameof(chatClient)), temperature, maxTokens, cache, numRetries, modelType,
            null, null, kwargs, capabilities)
    {
    }

    private LM(string model, IChatClient? chatClient, double? temperature, long? maxTokens, bool cache, int numRetries, string modelType,
        string? apiKey, string? apiBase, IReadOnlyDictionary<string, object?>? kwargs, LMCapabilities? capabilities = null)
        : base(model, modelType, BuildKwargs(model, temperature, maxTokens, apiKey, apiBase, kwargs))
    {
        if (modelType is not ("chat" or "text" or "responses"))
            throw new LMConfigurationError($"model_type must be 'chat', 'text' or 'responses', got '{modelType}'.") { Model = model };
        ArgumentOutOfRangeException.ThrowIfNegative(numRetries);
        (Provider, ModelName) = LMProviders.Split(model);
        Cache = cache;
        NumRetries = numRetries;
        _customClient = chatClient;
        Capabilities = capabilities ?? LMProviders.CapabilitiesOf(Provider) ?? LMCapabilities.Generic;
        if (chatClient is null && !LMProviders.IsRegistered(Provider))
        {
            // Fail fast on a typo, but resolve the client itself lazily.
            LMProviders.Resolve(model, Provider);
        }
    }

    private static Dictionary<string, object?> BuildKwargs(string model, double? temperature, long? maxTokens, string? apiKey, string? apiBase,
        IReadOnlyDictionary<string, object?>? extra)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        var reasoning = ReasoningModels.IsReasoningModel(model);
        if (reasoning) ReasoningModels.Validate(model, temperature, maxTokens);
        // DSPy keeps temperature and max_tokens in kwargs even when None; reasoning models send max_completion_tokens.
        var kwargs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["temperature"] = temperature,
            [reasoning ? "max_completion_tokens" : "max_tokens"] = maxTokens,
        };
        if (extra is not null)
        {
            foreach (var (k, v) in extra) kwargs[k] = v;
        }
        if (apiKey is not null) kwargs["api_key"] = apiKey;
        if (apiBase is not null) kwargs["api_base"] = apiBase;
        return kwargs;
    }

    /// <summary>The provider part of <see cref="BaseLM.Model"/> (<c>openai</c>, <c>sim</c> ...).</summary>
    public string Provider { get; }

    /// <summary>The model name sent to the provider (the part after <c>provider/</c>).</summary>
    public string ModelName { get; }

    /// <summary>DSPy's <c>cache</c>: look up and store responses in the request cache.</summary>
    public bool Cache { get; }

    /// <summary>Retries after a retryable failure (so <c>NumRetries + 1</c> attempts).</summary>
    public int NumRetries { get; }

    /// <summary>The provider's capabilities.</summary>
    public LMCapabilities Capabilities { get; }

    /// <summary>The cache to use; null means the process-wide <see cref="Dspy.Cache.Current"/>.</summary>
    public Cache? CacheStore { get; init; }

    /// <summary>The clock used for retry delays and history timestamps (tests inject one that does not sleep).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The network timeout of one request (applied when the provider client is created).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The first retry's base delay; later ones double it, up to <see cref="MaxRetryDelay"/>, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest backoff delay (a longer Retry-After from the server still wins).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Receives warnings (rollout_id with temperature 0, truncated responses).</summary>
    public ILogger Logger { get; init; } = DspyLogging.CreateLogger(typeof(LM));

    /// <summary>Called before each retry, e.g. for metrics.</summary>
    public Action<LMRetryEvent>? OnRetry { get; init; }

    /// <inheritdoc/>
    public override bool SupportsFunctionCalling => Capabilities.SupportsFunctionCalling;

    /// <inheritdoc/>
    public override bool SupportsResponseSchema => Capabilities.SupportsResponseSchema;

    /// <inheritdoc/>
    public override bool SupportsReasoning => Capabilities.SupportsReasoning || ReasoningModels.IsReasoningModel(Model);

    /// <inheritdoc/>
    public override IReadOnlySet<string> SupportedParams => Capabilities.SupportedParams;

    /// <summary>True for OpenAI reasoning models (<see cref="ReasoningModels"/>).</summary>
    public bool IsReasoningModel => ReasoningModels.IsReasoningModel(Model);

    /// <summary>The chat client, created from the provider on first use.</summary>
    public IChatClient ChatClient
    {
        get
        {
            if (_customClient is not null) return _customClient;
            lock (_clientLock)
            {
                if (_client is not null) return _client;
                var registration = LMProviders.Resolve(Model, Provider);
                var ctx = new LMProviderContext(Model, Provider, ModelName, Kwargs.GetValueOrDefault("api_key") as string,
                    (Kwargs.GetValueOrDefault("api_base") ?? Kwargs.GetValueOrDefault("base_url")) as string, Kwargs, RequestTimeout, ModelType);
                _client = registration.Factory(ctx);
                return _client;
            }
        }
    }

    /// <summary>
    /// DSPy's <c>lm.copy(**kwargs)</c>: a new LM with an empty history and its own kwargs. <c>model</c>, <c>model_type</c>,
    /// <c>cache</c> and <c>num_retries</c> set those attributes; any other key goes into the kwargs, and a null value removes it.
    /// A copy with the same model shares the underlying chat client.
    /// </summary>
    public override LM Copy(IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var model = Model;
        var modelType = ModelType;
        var cache = Cache;
        var numRetries = NumRetries;
        var kwargs = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        foreach (var (key, value) in overrides ?? new Dictionary<string, object?>())
        {
            switch (key)
            {
                case "model": model = value as string ?? throw new ArgumentException("model must be a string.", nameof(overrides)); break;
                case "model_type": modelType = value as string ?? "chat"; break;
                case "cache": cache = value is not false; break;
                case "num_retries": numRetries = value is null ? 3 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default:
                    if (value is null) kwargs.Remove(key);
                    else kwargs[key] = value;
                    break;
            }
        }
        var sameModel = model == Model;
        // A custom chat client is model-agnostic (the model travels in ChatOptions.ModelId), so copies keep it.
        var copy = new LM(model, _customClient, null, null, cache, numRetries, modelType, null, null, null,
            _customClient is null ? null : Capabilities)
        {
            CacheStore = CacheStore,
            TimeProvider = TimeProvider,
            RequestTimeout = RequestTimeout,
            RetryBaseDelay = RetryBaseDelay,
            MaxRetryDelay = MaxRetryDelay,
            Logger = Logger,
            OnRetry = OnRetry,
        };
        copy.Kwargs.Clear();
        foreach (var (k, v) in kwargs) copy.Kwargs[k] = v;
        if (sameModel && _customClient is null)
        {
            lock (_clientLock) copy._client = _client;
        }
        return copy;
    }

    /// <summary>
    /// DSPy's <c>dump_state</c>: <c>{"model", "model_type", "cache", "num_retries", **kwargs (never api_key),
    /// "finetuning_model": null, "launch_kwargs": {}, "train_kwargs": {}}</c>; a reasoning model's max completion tokens are
    /// saved as <c>max_tokens</c>.
    /// </summary>
    public override Dictionary<string, object?> DumpState()
    {
        var state = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = Model,
            ["model_type"] = ModelType,
            ["cache"] = Cache,
            ["num_retries"] = (long)NumRetries,
        };
        foreach (var (k, v) in Kwargs)
        {
            if (k == "api_key") continue;
            state[k == "max_completion_tokens" ? "max_tokens" : k] = v;
        }
        state["finetuning_model"] = null;
        state["launch_kwargs"] = new Dictionary<string, object?>(StringComparer.Ordinal);
        state["train_kwargs"] = new Dictionary<string, object?>(StringComparer.Ordinal);
        return state;
    }

    /// <summary>DSPy's <c>load_state</c>: a new LM from a <see cref="DumpState"/> dictionary.</summary>
    public static LM LoadState(IReadOnlyDictionary<string, object?> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var model = state.GetValueOrDefault("model") as string ?? throw new ArgumentException("The LM state has no 'model'.", nameof(state));
        var kwargs = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in state)
        {
            if (k is "model" or "model_type" or "cache" or "num_retries" or "finetuning_model" or "launch_kwargs" or "train_kwargs"
                or "_dspy_lm_class" or "temperature" or "max_tokens" or "use_developer_role") continue;
            kwargs[k] = v;
        }
        var temperature = state.GetValueOrDefault("temperature") switch { double d => d, long l => l, _ => (double?)null };
        var maxTokens = state.GetValueOrDefault("max_tokens") switch { long l => l, double d => (long)d, _ => (long?)null };
        return new LM(model, temperature, maxTokens, state.GetValueOrDefault("cache") is not false,
            state.GetValueOrDefault("num_retries") is long n ? (int)n : 3, state.GetValueOrDefault("model_type") as string ?? "chat",
            kwargs: kwargs);
    }

    internal bool ShouldWarnZeroTempRollout(object? temperature, object? rolloutId)
    {
        if (rolloutId is null) return false;
        var zero = temperature is null || (temperature is double d && d == 0) || (temperature is long l && l == 0) || (temperature is int i && i == 0);
        return zero && Interlocked.Exchange(ref _warnedZeroTempRollout, 1) == 0;
    }
}
