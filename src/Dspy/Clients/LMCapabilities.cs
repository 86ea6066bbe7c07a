namespace Dspy;

/// <summary>
/// What a provider accepts, as DSPy's <c>supports_function_calling</c>, <c>supports_response_schema</c>,
/// <c>supports_reasoning</c> and <c>supported_params</c> report it; adapters read these to choose native tools and
/// structured outputs.
/// </summary>
public sealed record LMCapabilities
{
    /// <summary>Native tool calling.</summary>
    public bool SupportsFunctionCalling { get; init; }

    /// <summary>A JSON schema as the response format (structured outputs).</summary>
    public bool SupportsResponseSchema { get; init; }

    /// <summary>Native reasoning.</summary>
    public bool SupportsReasoning { get; init; }

    /// <summary>Request parameters the provider accepts, in DSPy's names.</summary>
    public IReadOnlySet<string> SupportedParams { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Passes DSPy's <c>rollout_id</c> to the client (only the simulated LM uses it to vary its answers).</summary>
    public bool ReceivesRolloutId { get; init; }

    /// <summary>
    /// Added to every cache key when set, so that cached answers of a client whose behaviour is versioned by us (the
    /// simulated LM) are not served after that behaviour changes. Real providers leave it null, as DSPy's keys do.
    /// </summary>
    public string? CacheVersion { get; init; }

    private static HashSet<string> Params(params string[] names) => new(names, StringComparer.Ordinal);

    /// <summary>OpenAI, Azure OpenAI and Anthropic chat models: tools, response schemas, response format.</summary>
    public static LMCapabilities Hosted { get; } = new()
    {
        SupportsFunctionCalling = true,
        SupportsResponseSchema = true,
        SupportedParams = Params("temperature", "max_tokens", "top_p", "stop", "seed", "n", "response_format", "tools", "tool_choice"),
    };

    /// <summary>Ollama: JSON response formats (mapped to Ollama's <c>format</c>), no native tool calling assumed.</summary>
    public static LMCapabilities Ollama { get; } = new()
    {
        SupportsResponseSchema = true,
        SupportedParams = Params("temperature", "max_tokens", "top_p", "stop", "seed", "n", "response_format"),
    };

    /// <summary>The simulated LM: response formats and schemas, and it receives <c>rollout_id</c>.</summary>
    public static LMCapabilities Sim { get; } = new()
    {
        SupportsResponseSchema = true,
        ReceivesRolloutId = true,
        SupportedParams = Params("temperature", "max_tokens", "seed", "n", "response_format", "rollout_id"),
        // The simulator lives in this assembly; its deterministic build id changes whenever the library's code does.
        CacheVersion = "sim-" + typeof(SimChatClient).Assembly.ManifestModule.ModuleVersionId.ToString("N"),
    };

    /// <summary>An arbitrary <c>IChatClient</c>: Microsoft.Extensions.AI carries tools and response formats, so both are assumed.</summary>
    public static LMCapabilities Generic { get; } = Hosted;
}
