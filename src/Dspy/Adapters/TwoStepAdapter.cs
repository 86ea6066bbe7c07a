using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's <c>TwoStepAdapter</c>: the main LM answers a plain, natural prompt; a second (usually smaller) extraction
/// model then pulls the output fields out of that answer with a <see cref="ChatAdapter"/> and the signature
/// <c>text -&gt; outputs</c>. Useful with reasoning models that struggle with structured output.
/// </summary>
public class TwoStepAdapter : Adapter
{
    /// <summary>Creates the adapter with the model that extracts structured outputs.</summary>
    public TwoStepAdapter(BaseLM extractionModel, bool useNativeFunctionCalling = false, bool? parallelToolCalls = null)
        : base(useNativeFunctionCalling, parallelToolCalls)
    {
        ExtractionModel = extractionModel ?? throw new ArgumentException("extraction_model must be an instance of dspy.BaseLM", nameof(extractionModel));
    }

    /// <summary>The LM used for the extraction step.</summary>
    public BaseLM ExtractionModel { get; }

    /// <summary>System message (task description), demos, then the inputs; no history expansion and no output reminder.</summary>
    public override IReadOnlyList<ChatMessage> Format(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(demos);
        ArgumentNullException.ThrowIfNull(inputs);
        var messages = new List<ChatMessage> { new(ChatRole.System, FormatTaskDescription(signature)) };
        messages.AddRange(FormatDemos(signature, demos));
        messages.Add(ChatMessages.Create(ChatRole.User, FormatUserMessageContent(signature, inputs)));
        return messages;
    }

    /// <inheritdoc/>
    public override string FormatTaskDescription(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var parts = new List<string>
        {
            "You are a helpful assistant that can solve tasks based on user input.",
            "As input, you will be provided with:\n" + AdapterUtils.GetFieldDescriptionString(signature.InputFields),
            "Your outputs must contain:\n" + AdapterUtils.GetFieldDescriptionString(signature.OutputFields),
            "You should lay out your outputs in detail so that your answer can be understood by another agent",
        };
        if (!string.IsNullOrEmpty(signature.Instructions)) parts.Add($"Specific instructions: {signature.Instructions}");
        return string.Join("\n", parts);
    }

    /// <summary><c>name: value</c> for each input present (Python <c>str()</c> of the value), joined by blank lines.</summary>
    public override string FormatUserMessageContent(Signature signature, IReadOnlyDictionary<string, object?> inputs, string prefix = "", string suffix = "",
        bool mainRequest = false)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(inputs);
        var parts = new List<string> { prefix };
        foreach (var f in signature.InputFields)
        {
            if (inputs.TryGetValue(f.Name, out var v)) parts.Add($"{f.Name}: {PythonStr(v)}");
        }
        parts.Add(suffix);
        return PythonText.Strip(string.Join("\n\n", parts));
    }

    /// <summary><c>name: value</c> for each output present, joined by blank lines.</summary>
    public override string FormatAssistantMessageContent(Signature signature, IReadOnlyDictionary<string, object?> outputs, string? missingFieldMessage = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(outputs);
        var parts = signature.OutputFields.Where(f => outputs.ContainsKey(f.Name)).Select(f => $"{f.Name}: {PythonStr(outputs[f.Name])}");
        return PythonText.Strip(string.Join("\n\n", parts));
    }

    private static string PythonStr(object? value) => PydanticText.Str(value);

    /// <summary>
    /// The extraction signature <c>text -&gt; outputs</c> with DSPy's extraction instructions (the odd run of spaces comes
    /// from a line continuation in DSPy's source and is kept for identical prompts).
    /// </summary>
    public static Signature CreateExtractorSignature(Signature original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var outputs = string.Join(", ", original.OutputFields.Select(f => $"`{f.Name}`"));
        var instructions = $"The input is a text that should contain all the necessary information to produce the fields {outputs}. "
            + "            Your job is to extract the fields from the text verbatim. Extract precisely the appropriate value (content) for each field.";
        return new Signature([Field.Input("text"), .. original.OutputFields], instructions);
    }

    /// <summary>Extracts the outputs from one completion of the main LM by calling the extraction model.</summary>
    public override Dictionary<string, object?> Parse(Signature signature, string completion) =>
        ParseAsync(signature, completion).ConfigureAwait(false).GetAwaiter().GetResult();

    /// <summary>Extracts the outputs from one completion of the main LM by calling the extraction model.</summary>
    public async Task<Dictionary<string, object?>> ParseAsync(Signature signature, string completion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signature);
        try
        {
            var result = await new ChatAdapter().CallAsync(ExtractionModel, new Dictionary<string, object?>(), CreateExtractorSignature(signature), [],
                new Dictionary<string, object?> { ["text"] = completion }, cancellationToken).ConfigureAwait(false);
            return result[0];
        }
        catch (Exception ex) when (!LMErrors.IsLMError(ex))
        {
            throw new AdapterParseError("TwoStepAdapter", signature, completion, $"Failed to parse response from the original completion: {ex.Message}", innerException: ex);
        }
    }

    /// <summary>Calls the main LM, then the extraction model once per generation.</summary>
    public override async Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(signature);
        var messages = Format(signature, demos, inputs);
        var response = await lm.CallAsync(messages, lmKwargs, cancellationToken).ConfigureAwait(false);
        var toolOutput = ToolCallsOutputFieldName(signature);
        var values = new List<Dictionary<string, object?>>();
        foreach (var output in response.Outputs)
        {
            var value = await ParseAsync(signature, output.Text ?? "", cancellationToken).ConfigureAwait(false);
            if (output.ToolCalls is { Count: > 0 } calls && toolOutput is not null) value[toolOutput] = ToolCalls.FromLMToolCalls(calls);
            values.Add(value);
        }
        return values;
    }
}
