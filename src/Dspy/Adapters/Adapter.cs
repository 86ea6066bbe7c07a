using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's <c>Adapter</c>: turns a signature, demos and inputs into chat messages, calls the LM, and parses each
/// generation back into output values. Implementations: <see cref="ChatAdapter"/>, <see cref="JsonAdapter"/>,
/// <see cref="XmlAdapter"/>, <see cref="TwoStepAdapter"/>. The <c>Format*</c> members mirror DSPy's helper surface so a
/// subclass can change one part of the prompt.
/// </summary>
public abstract class Adapter
{
    /// <summary>The prefix of an incomplete demo's user message.</summary>
    public const string IncompleteDemoPrefix = "This is an example of the task, though some input or output fields are not supplied.";

    /// <summary>What an incomplete demo shows for a missing output (note the trailing space).</summary>
    public const string MissingDemoFieldMessage = "Not supplied for this particular example. ";

    /// <summary>Creates an adapter.</summary>
    /// <param name="useNativeFunctionCalling">Send <c>list[Tool]</c> inputs as native tools and fill <c>ToolCalls</c> outputs from native calls.</param>
    /// <param name="parallelToolCalls">The provider's <c>parallel_tool_calls</c> option when native function calling is active; null leaves it unset.</param>
    protected Adapter(bool useNativeFunctionCalling = false, bool? parallelToolCalls = null)
    {
        UseNativeFunctionCalling = useNativeFunctionCalling;
        ParallelToolCalls = parallelToolCalls;
    }

    /// <summary>Whether native function calling is used when the LM supports it.</summary>
    public bool UseNativeFunctionCalling { get; }

    /// <summary>The <c>parallel_tool_calls</c> option sent with native tools, or null.</summary>
    public bool? ParallelToolCalls { get; }

    /// <summary>
    /// The messages the LM receives: system message, demos (incomplete first), conversation history, then the current
    /// request (left out when empty).
    /// </summary>
    public virtual IReadOnlyList<ChatMessage> Format(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(demos);
        ArgumentNullException.ThrowIfNull(inputs);
        var inputsCopy = new Dictionary<string, object?>(inputs, StringComparer.Ordinal);
        var historyField = signature.InputFields.FirstOrDefault(f => f.Type.Kind == TypeKind.History)?.Name;
        Signature? withoutHistory = null;
        List<ChatMessage> conversation = [];
        if (historyField is not null)
        {
            withoutHistory = signature.Delete(historyField);
            conversation = FormatConversationHistory(withoutHistory, historyField, inputsCopy);
        }

        var messages = new List<ChatMessage> { ChatMessages.Create(ChatRole.System, SystemMessageFor(signature)) };
        messages.AddRange(FormatDemos(signature, demos));
        messages.AddRange(conversation);
        var content = FormatUserMessageContent(withoutHistory ?? signature, inputsCopy, mainRequest: true);
        if (content.Length > 0) messages.Add(ChatMessages.Create(ChatRole.User, content));
        return messages;
    }

    /// <summary>Parses one completion into output values, or throws <see cref="AdapterParseError"/>.</summary>
    public abstract Dictionary<string, object?> Parse(Signature signature, string completion);

    /// <summary>
    /// Formats, calls <paramref name="lm"/> with <paramref name="lmKwargs"/>, and parses every generation. Returns one
    /// dictionary of output values per generation.
    /// </summary>
    public virtual async Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(lmKwargs);
        ArgumentNullException.ThrowIfNull(signature);
        var kwargs = new Dictionary<string, object?>(lmKwargs, StringComparer.Ordinal);
        var processed = PreprocessCall(lm, kwargs, signature, inputs);
        var messages = Format(processed, demos, inputs);
        var response = await lm.CallAsync(messages, kwargs, cancellationToken).ConfigureAwait(false);
        return PostprocessCall(processed, signature, response.Outputs, lm);
    }

    // Signatures are immutable, and the system message depends only on the signature and this adapter, so it is built
    // once per signature: optimizers and evaluations format the same signature thousands of times.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Signature, string> _systemMessages = new();

    private string SystemMessageFor(Signature signature) => _systemMessages.GetValue(signature, FormatSystemMessage);

    /// <summary>
    /// DSPy's <c>format_system_message</c>: field description, field structure and task description, one per line.
    /// An override must depend only on the signature and the adapter's own settings: <see cref="Format"/> caches it per signature.
    /// </summary>
    public virtual string FormatSystemMessage(Signature signature) =>
        $"{FormatFieldDescription(signature)}\n{FormatFieldStructure(signature)}\n{FormatTaskDescription(signature)}";

    /// <summary>DSPy's <c>format_field_description</c>: what the input and output fields are.</summary>
    public virtual string FormatFieldDescription(Signature signature) => throw new NotSupportedException($"{GetType().Name} does not format field descriptions.");

    /// <summary>DSPy's <c>format_field_structure</c>: how inputs and outputs are laid out.</summary>
    public virtual string FormatFieldStructure(Signature signature) => throw new NotSupportedException($"{GetType().Name} does not format field structures.");

    /// <summary>DSPy's <c>format_task_description</c>: the instructions.</summary>
    public virtual string FormatTaskDescription(Signature signature) => throw new NotSupportedException($"{GetType().Name} does not format task descriptions.");

    /// <summary>DSPy's <c>format_user_message_content</c>: the inputs present, plus the output reminder for the main request.</summary>
    public virtual string FormatUserMessageContent(Signature signature, IReadOnlyDictionary<string, object?> inputs, string prefix = "", string suffix = "",
        bool mainRequest = false) => throw new NotSupportedException($"{GetType().Name} does not format user messages.");

    /// <summary>DSPy's <c>format_assistant_message_content</c>: the outputs, with <paramref name="missingFieldMessage"/> for absent ones.</summary>
    public virtual string FormatAssistantMessageContent(Signature signature, IReadOnlyDictionary<string, object?> outputs, string? missingFieldMessage = null) =>
        throw new NotSupportedException($"{GetType().Name} does not format assistant messages.");

    /// <summary>
    /// DSPy's <c>format_demos</c>: complete demos (every field present and not None) and incomplete ones (at least one
    /// input and one output) as user/assistant pairs, incomplete first; other demos are dropped.
    /// </summary>
    public virtual List<ChatMessage> FormatDemos(Signature signature, IReadOnlyList<Example> demos)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(demos);
        var complete = new List<IReadOnlyDictionary<string, object?>>();
        var incomplete = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var demo in demos)
        {
            var d = demo;
            var isComplete = signature.Fields.All(f => d.TryGetValue(f.Name, out var v) && v is not null);
            var hasInput = signature.InputFields.Any(f => d.ContainsKey(f.Name));
            var hasOutput = signature.OutputFields.Any(f => d.ContainsKey(f.Name));
            if (isComplete) complete.Add(d);
            else if (hasInput && hasOutput) incomplete.Add(d);
        }
        var messages = new List<ChatMessage>();
        foreach (var demo in incomplete)
        {
            messages.Add(ChatMessages.Create(ChatRole.User, FormatUserMessageContent(signature, demo, prefix: IncompleteDemoPrefix)));
            messages.Add(ChatMessages.Create(ChatRole.Assistant, FormatAssistantMessageContent(signature, demo, MissingDemoFieldMessage)));
        }
        foreach (var demo in complete)
        {
            messages.Add(ChatMessages.Create(ChatRole.User, FormatUserMessageContent(signature, demo)));
            messages.Add(ChatMessages.Create(ChatRole.Assistant, FormatAssistantMessageContent(signature, demo, "Not supplied for this conversation history message. ")));
        }
        return messages;
    }

    /// <summary>
    /// DSPy's <c>format_conversation_history</c>: each history message becomes a user turn (its inputs) and an assistant
    /// turn (its outputs). Removes the history field from <paramref name="inputs"/>.
    /// </summary>
    public virtual List<ChatMessage> FormatConversationHistory(Signature signature, string historyFieldName, Dictionary<string, object?> inputs)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!inputs.TryGetValue(historyFieldName, out var value) || value is null) return [];
        var history = value as History ?? History.Validate(ValueModel.FromClr(value));
        var messages = new List<ChatMessage>();
        foreach (var message in history.Messages)
        {
            var user = FormatUserMessageContent(signature, message);
            if (user.Length > 0) messages.Add(ChatMessages.Create(ChatRole.User, user));
            var hasToolCalls = message.Values.Any(v => v is ToolCalls || (v is IDictionary<string, object?> d && d.ContainsKey("tool_calls")));
            if (UseNativeFunctionCalling && hasToolCalls)
            {
                // Native tool calls are not text: the assistant turn keeps only the other outputs that have values.
                var contentSignature = signature;
                foreach (var f in signature.OutputFields)
                {
                    if (f.Type.Kind == TypeKind.ToolCalls || !message.TryGetValue(f.Name, out var v) || v is null) contentSignature = contentSignature.Delete(f.Name);
                }
                var content = contentSignature.OutputFields.Count > 0 ? FormatAssistantMessageContent(contentSignature, message) : "";
                if (content.Length > 0) messages.Add(ChatMessages.Create(ChatRole.Assistant, content));
                continue;
            }
            var assistant = FormatAssistantMessageContent(signature, message);
            if (assistant.Length > 0) messages.Add(ChatMessages.Create(ChatRole.Assistant, assistant));
        }
        inputs.Remove(historyFieldName);
        return messages;
    }

    /// <summary>The first input annotated <c>list[Tool]</c> or <c>Tool</c>, or null.</summary>
    protected static string? ToolInputFieldName(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.InputFields.FirstOrDefault(f => f.Type.Kind == TypeKind.Tool
            || (f.Type.Kind == TypeKind.List && f.Type.Args.Count == 1 && f.Type.Args[0].Kind == TypeKind.Tool))?.Name;
    }

    /// <summary>The first output annotated <c>ToolCalls</c>, or null.</summary>
    protected static string? ToolCallsOutputFieldName(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.OutputFields.FirstOrDefault(f => f.Type.Kind == TypeKind.ToolCalls)?.Name;
    }

    /// <summary>
    /// DSPy's <c>_call_preprocess</c>: strips tool kwargs unless native function calling is on; with it (and an LM that
    /// supports it) sends the tools natively and removes the tool fields; turns on native reasoning for <c>Reasoning</c>
    /// outputs when the LM reasons natively. Returns the signature to render.
    /// </summary>
    protected virtual Signature PreprocessCall(BaseLM lm, Dictionary<string, object?> lmKwargs, Signature signature, IReadOnlyDictionary<string, object?> inputs)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(lmKwargs);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!UseNativeFunctionCalling)
        {
            lmKwargs.Remove("tools");
            lmKwargs.Remove("tool_choice");
            lmKwargs.Remove("parallel_tool_calls");
        }
        else
        {
            var toolInput = ToolInputFieldName(signature);
            var toolOutput = ToolCallsOutputFieldName(signature);
            if (toolOutput is not null && toolInput is null)
            {
                throw new ArgumentException(
                    $"You provided an output field {toolOutput} to receive the tool calls information, but did not provide any tools as the input. "
                    + "Please provide a list of tools as the input by adding an input field with type `list[dspy.Tool]`.");
            }
            if (toolOutput is not null && lm.SupportsFunctionCalling)
            {
                var tools = inputs.TryGetValue(toolInput!, out var t) ? t : null;
                IEnumerable<object?> list = tools is System.Collections.IList l ? l.Cast<object?>() : [tools];
                lmKwargs["tools"] = list.Select(x => (object?)ToolDefinitions.ToFunctionCall(x!)).ToList();
                if (ParallelToolCalls is { } parallel && (!lmKwargs.TryGetValue("parallel_tool_calls", out var p) || p is null))
                {
                    lmKwargs["parallel_tool_calls"] = parallel;
                }
                signature = signature.Delete(toolOutput).Delete(toolInput!);
            }
        }

        foreach (var field in signature.OutputFields.Where(f => f.Type.Kind == TypeKind.Reasoning).ToList())
        {
            object? effort = "low";
            if (lmKwargs.TryGetValue("reasoning_effort", out var e)) effort = e;
            else if (lm.Kwargs.TryGetValue("reasoning_effort", out var le)) effort = le;
            if (effort is null || !lm.SupportsReasoning) continue;
            if (lm.Model.Contains("gpt-5", StringComparison.Ordinal) && lm.ModelType == "chat") continue;
            lmKwargs["reasoning_effort"] = effort;
            signature = signature.Delete(field.Name);
        }
        return signature;
    }

    /// <summary>
    /// DSPy's <c>_call_postprocess</c>: parses each generation's text with the rendered signature, fills fields removed
    /// for native features (tool calls, reasoning), and applies output defaults.
    /// </summary>
    protected virtual IReadOnlyList<Dictionary<string, object?>> PostprocessCall(Signature processedSignature, Signature originalSignature,
        IReadOnlyList<LMOutput> outputs, BaseLM lm)
    {
        ArgumentNullException.ThrowIfNull(processedSignature);
        ArgumentNullException.ThrowIfNull(originalSignature);
        ArgumentNullException.ThrowIfNull(outputs);
        var toolOutput = ToolCallsOutputFieldName(originalSignature);
        var values = new List<Dictionary<string, object?>>();
        foreach (var output in outputs)
        {
            var text = output.Text;
            var toolCalls = output.ToolCalls is { Count: > 0 } ? output.ToolCalls : null;
            Dictionary<string, object?> value;
            if (!string.IsNullOrEmpty(text) && !(toolCalls is not null && toolOutput is not null))
            {
                value = Parse(processedSignature, text);
            }
            else if (toolCalls is not null && toolOutput is not null)
            {
                try
                {
                    value = !string.IsNullOrEmpty(text) && processedSignature.OutputFields.Count > 0 ? Parse(processedSignature, text) : [];
                }
                catch (AdapterParseError)
                {
                    value = [];
                }
            }
            else
            {
                throw new AdapterParseError(GetType().Name, originalSignature, text ?? "None", "The LM returned an empty or null response.");
            }

            value = AdapterUtils.ApplyOutputFieldDefaults(originalSignature, value);
            foreach (var f in originalSignature.OutputFields) value.TryAdd(f.Name, null);
            if (toolCalls is not null && toolOutput is not null) value[toolOutput] = ToolCalls.FromLMToolCalls(toolCalls);
            foreach (var f in originalSignature.OutputFields.Where(f => f.Type.Kind == TypeKind.Reasoning))
            {
                if (output.ReasoningContent is not null) value[f.Name] = output.ReasoningContent;
            }
            values.Add(value);
        }
        return values;
    }
}
