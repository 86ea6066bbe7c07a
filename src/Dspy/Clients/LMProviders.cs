using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// The registry that turns the provider part of an LM's model string (<c>openai/gpt-4o-mini</c> -> <c>openai</c>) into an
/// <see cref="IChatClient"/>. Built in: <c>openai</c> (and any OpenAI-compatible server through <c>api_base</c> or
/// <c>OPENAI_BASE_URL</c>), <c>azure</c>, <c>ollama</c>/<c>ollama_chat</c> and <c>anthropic</c>. Other providers, such as the
/// simulated LM <c>sim</c> (whose client lives elsewhere in the library), are added with <see cref="Register"/>.
/// Factories run on the LM's first call, never at construction, so creating an LM makes no network call and needs no key.
/// </summary>
public static class LMProviders
{
    private static readonly ConcurrentDictionary<string, Registration> s_providers = new(StringComparer.OrdinalIgnoreCase);

    static LMProviders()
    {
        s_providers["openai"] = new(CreateOpenAI, LMCapabilities.Hosted);
        s_providers["azure"] = new(CreateAzure, LMCapabilities.Hosted);
        s_providers["ollama"] = new(CreateOllama, LMCapabilities.Ollama);
        s_providers["ollama_chat"] = new(CreateOllama, LMCapabilities.Ollama);
        s_providers["anthropic"] = new(CreateAnthropic, LMCapabilities.Hosted);
        // The simulated LM (DESIGN.md section 9): "sim" or "sim/<name>", deterministic and in-process.
        s_providers["sim"] = new(ctx => new SimChatClient(new SimOptions { ModelId = ctx.Model }), LMCapabilities.Sim);
    }

    /// <summary>A registered provider.</summary>
    internal sealed record Registration(Func<LMProviderContext, IChatClient> Factory, LMCapabilities Capabilities);

    /// <summary>
    /// Registers (or replaces) <paramref name="provider"/>. <paramref name="capabilities"/> defaults to
    /// <see cref="LMCapabilities.Sim"/> for <c>sim</c> and <see cref="LMCapabilities.Generic"/> otherwise.
    /// </summary>
    public static void Register(string provider, Func<LMProviderContext, IChatClient> factory, LMCapabilities? capabilities = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentNullException.ThrowIfNull(factory);
        var caps = capabilities ?? (string.Equals(provider, "sim", StringComparison.OrdinalIgnoreCase) ? LMCapabilities.Sim : LMCapabilities.Generic);
        s_providers[provider] = new(factory, caps);
    }

    /// <summary>True if <paramref name="provider"/> is registered.</summary>
    public static bool IsRegistered(string provider) => s_providers.ContainsKey(provider);

    /// <summary>The registered provider names, sorted.</summary>
    public static IReadOnlyList<string> Known => [.. s_providers.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal)];

    /// <summary>The capabilities of <paramref name="provider"/>, or null when it is not registered.</summary>
    public static LMCapabilities? CapabilitiesOf(string provider) => s_providers.TryGetValue(provider, out var r) ? r.Capabilities : null;

    /// <summary>Splits <c>provider/name</c>; a bare registered provider (<c>sim</c>) has an empty name.</summary>
    public static (string Provider, string ModelName) Split(string model)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (model.ToLowerInvariant(), "") : (model[..slash].ToLowerInvariant(), model[(slash + 1)..]);
    }

    internal static Registration Resolve(string model, string provider)
        => s_providers.TryGetValue(provider, out var r)
            ? r
            : throw new LMConfigurationError(
                $"Unknown LM provider '{provider}' in model '{model}'. Models are written 'provider/name'; known providers: "
                + string.Join(", ", Known) + ". Register others with LMProviders.Register.") { Model = model, Provider = provider };

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static ClientRetryPolicy NoRetries => new(maxRetries: 0);

    private static IChatClient CreateOpenAI(LMProviderContext ctx)
    {
        var apiBase = ctx.ApiBase ?? Env("OPENAI_BASE_URL") ?? Env("OPENAI_API_BASE");
        var key = ctx.ApiKey ?? Env("OPENAI_API_KEY")
            ?? (apiBase is not null ? "not-needed"
                : throw new LMAuthError("No OpenAI API key: set OPENAI_API_KEY or pass apiKey to the LM.") { Model = ctx.Model, Provider = ctx.Provider });
        var options = new OpenAI.OpenAIClientOptions { NetworkTimeout = ctx.RequestTimeout, RetryPolicy = NoRetries };
        if (apiBase is not null) options.Endpoint = new Uri(apiBase);
        // Our retry loop is the only one: the SDK's own retry policy is off (maxRetries 0).
        var client = new OpenAI.OpenAIClient(new ApiKeyCredential(key), options);
#pragma warning disable OPENAI001 // The Responses API client is marked experimental; DSPy's model_type="responses" needs it.
        return ctx.ModelType == "responses"
            ? client.GetResponsesClient().AsIChatClient(ctx.ModelName)
            : client.GetChatClient(ctx.ModelName).AsIChatClient();
#pragma warning restore OPENAI001
    }

    private static IChatClient CreateAzure(LMProviderContext ctx)
    {
        var endpoint = ctx.ApiBase ?? Env("AZURE_OPENAI_ENDPOINT") ?? Env("AZURE_API_BASE")
            ?? throw new LMConfigurationError("No Azure OpenAI endpoint: set AZURE_OPENAI_ENDPOINT (or AZURE_API_BASE) or pass apiBase to the LM.")
            { Model = ctx.Model, Provider = ctx.Provider };
        var key = ctx.ApiKey ?? Env("AZURE_OPENAI_API_KEY") ?? Env("AZURE_API_KEY")
            ?? throw new LMAuthError("No Azure OpenAI API key: set AZURE_OPENAI_API_KEY (or AZURE_API_KEY) or pass apiKey to the LM.")
            { Model = ctx.Model, Provider = ctx.Provider };
        var version = (ctx.Kwargs.GetValueOrDefault("api_version") as string) ?? Env("AZURE_API_VERSION") ?? Env("OPENAI_API_VERSION");
        var options = version switch
        {
            "2024-06-01" => new Azure.AI.OpenAI.AzureOpenAIClientOptions(Azure.AI.OpenAI.AzureOpenAIClientOptions.ServiceVersion.V2024_06_01),
            "2024-10-21" => new Azure.AI.OpenAI.AzureOpenAIClientOptions(Azure.AI.OpenAI.AzureOpenAIClientOptions.ServiceVersion.V2024_10_21),
            null => new Azure.AI.OpenAI.AzureOpenAIClientOptions(),
            _ => throw new LMConfigurationError($"Unsupported Azure OpenAI api_version '{version}'; this SDK supports 2024-06-01 and 2024-10-21.")
            { Model = ctx.Model, Provider = ctx.Provider },
        };
        options.NetworkTimeout = ctx.RequestTimeout;
        options.RetryPolicy = NoRetries;
        return new Azure.AI.OpenAI.AzureOpenAIClient(new Uri(endpoint), new ApiKeyCredential(key), options)
            .GetChatClient(ctx.ModelName).AsIChatClient();
    }

    private static IChatClient CreateOllama(LMProviderContext ctx)
    {
        var apiBase = ctx.ApiBase ?? Env("OLLAMA_API_BASE") ?? "http://localhost:11434";
#pragma warning disable CA2000 // The OllamaApiClient owns and disposes the HttpClient.
        var http = new HttpClient { BaseAddress = new Uri(apiBase), Timeout = ctx.RequestTimeout };
#pragma warning restore CA2000
        // OllamaApiClient implements IChatClient explicitly, hence the cast.
        IChatClient chat = new OllamaSharp.OllamaApiClient(http, ctx.ModelName);
        return chat;
    }

    private static IChatClient CreateAnthropic(LMProviderContext ctx)
    {
        var key = ctx.ApiKey ?? Env("ANTHROPIC_API_KEY")
            ?? throw new LMAuthError("No Anthropic API key: set ANTHROPIC_API_KEY or pass apiKey to the LM.") { Model = ctx.Model, Provider = ctx.Provider };
#pragma warning disable CA2000 // The chat client keeps the Anthropic client alive for the LM's lifetime.
        var client = ctx.ApiBase is null
            ? new Anthropic.AnthropicClient { ApiKey = key, MaxRetries = 0, Timeout = ctx.RequestTimeout }
            : new Anthropic.AnthropicClient { ApiKey = key, MaxRetries = 0, Timeout = ctx.RequestTimeout, BaseUrl = ctx.ApiBase };
#pragma warning restore CA2000
        return client.AsIChatClient(ctx.ModelName);
    }
}
