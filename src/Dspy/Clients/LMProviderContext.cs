namespace Dspy;

/// <summary>What a provider factory gets to build an <c>IChatClient</c> for an <c>LM</c>.</summary>
/// <param name="Model">The full model string, e.g. <c>openai/gpt-4o-mini</c> or <c>sim/qa</c>.</param>
/// <param name="Provider">The provider part, e.g. <c>openai</c> (lowercase).</param>
/// <param name="ModelName">The part after the first <c>/</c>; empty for a bare provider such as <c>sim</c>.</param>
/// <param name="ApiKey">The <c>api_key</c> passed to the LM, if any (factories fall back to their environment variables).</param>
/// <param name="ApiBase">The <c>api_base</c>/<c>base_url</c> passed to the LM, if any.</param>
/// <param name="Kwargs">The LM's default kwargs (DSPy names).</param>
/// <param name="RequestTimeout">The per-request network timeout the LM wants.</param>
/// <param name="ModelType">The LM's model type: <c>chat</c>, <c>text</c> or <c>responses</c> (OpenAI's Responses API).</param>
public sealed record LMProviderContext(string Model, string Provider, string ModelName, string? ApiKey, string? ApiBase,
    IReadOnlyDictionary<string, object?> Kwargs, TimeSpan RequestTimeout, string ModelType = "chat");
