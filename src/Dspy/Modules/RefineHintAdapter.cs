using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// The adapter <see cref="Refine"/> installs for a retry (DSPy's <c>WrapperAdapter</c>): every call gets an extra input
/// <c>hint_</c> ("A hint to the module from an earlier run") holding the advice for the calling predictor, or <c>N/A</c>.
/// Everything else is delegated to the adapter that was in effect.
/// </summary>
internal sealed class RefineHintAdapter(Adapter inner, IReadOnlyDictionary<string, object?> advice, IReadOnlyDictionary<Signature, string> signatureNames)
    : Adapter(inner.UseNativeFunctionCalling, inner.ParallelToolCalls)
{
    public const string HintField = "hint_";

    public const string HintDescription = "A hint to the module from an earlier run";

    public override Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(inputs);
        // DSPy looks the signature up strictly; a signature it does not know (e.g. passed per call) gets N/A here.
        var hint = signatureNames.TryGetValue(signature, out var name) && advice.TryGetValue(name, out var a) ? a : "N/A";
        var withHint = new Dictionary<string, object?>(inputs, StringComparer.Ordinal) { [HintField] = hint };
        var extended = signature.Append(Field.Input(HintField, TypeSpec.Str, HintDescription));
        return inner.CallAsync(lm, lmKwargs, extended, demos, withHint, cancellationToken);
    }

    public override IReadOnlyList<ChatMessage> Format(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs) =>
        inner.Format(signature, demos, inputs);

    public override Dictionary<string, object?> Parse(Signature signature, string completion) => inner.Parse(signature, completion);

    public override string FormatSystemMessage(Signature signature) => inner.FormatSystemMessage(signature);

    public override string FormatFieldDescription(Signature signature) => inner.FormatFieldDescription(signature);

    public override string FormatFieldStructure(Signature signature) => inner.FormatFieldStructure(signature);

    public override string FormatTaskDescription(Signature signature) => inner.FormatTaskDescription(signature);

    public override string FormatUserMessageContent(Signature signature, IReadOnlyDictionary<string, object?> inputs, string prefix = "",
        string suffix = "", bool mainRequest = false) => inner.FormatUserMessageContent(signature, inputs, prefix, suffix, mainRequest);

    public override string FormatAssistantMessageContent(Signature signature, IReadOnlyDictionary<string, object?> outputs, string? missingFieldMessage = null) =>
        inner.FormatAssistantMessageContent(signature, outputs, missingFieldMessage);

    public override List<ChatMessage> FormatDemos(Signature signature, IReadOnlyList<Example> demos) => inner.FormatDemos(signature, demos);

    public override List<ChatMessage> FormatConversationHistory(Signature signature, string historyFieldName, Dictionary<string, object?> inputs) =>
        inner.FormatConversationHistory(signature, historyFieldName, inputs);
}
