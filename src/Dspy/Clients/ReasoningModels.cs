using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// DSPy's rule for OpenAI reasoning models: <c>o1</c>/<c>o3</c>/<c>o4</c>/<c>o5</c> with an optional <c>-mini</c>,
/// <c>-nano</c> or <c>-pro</c> and an optional date, and every <c>gpt-5*</c> except <c>gpt-5-chat*</c>. They accept only
/// <c>temperature</c> 1.0 (or none) and <c>max_tokens</c> of at least 16000 (or none), sent as max completion tokens.
/// </summary>
public static partial class ReasoningModels
{
    /// <summary>DSPy's error message when a reasoning model is configured otherwise.</summary>
    public const string ConfigurationMessage =
        "OpenAI's reasoning models require passing temperature=1.0 or None and max_tokens >= 16000 or None to `dspy.LM(...)`, "
        + "e.g., dspy.LM('openai/gpt-5', temperature=1.0, max_tokens=16000)";

    [GeneratedRegex(@"^(?:o[1345](?:-(?:mini|nano|pro))?(?:-\d{4}-\d{2}-\d{2})?|gpt-5(?!-chat)(?:-.*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>True if <paramref name="model"/> (with or without its provider prefix) is a reasoning model.</summary>
    public static bool IsReasoningModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var family = model[(model.LastIndexOf('/') + 1)..].ToLowerInvariant();
        return Pattern().IsMatch(family);
    }

    /// <summary>Throws <see cref="LMConfigurationError"/> unless the settings are allowed for a reasoning model.</summary>
    public static void Validate(string model, double? temperature, long? maxTokens)
    {
        var temperatureOk = temperature is null || temperature == 1.0;
        var maxTokensOk = maxTokens is null || maxTokens >= 16000;
        if (!temperatureOk || !maxTokensOk) throw new LMConfigurationError(ConfigurationMessage) { Model = model };
    }
}
