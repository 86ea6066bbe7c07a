using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// DSPy's default <c>ChatAdapter</c>: fields are delimited by <c>[[ ## name ## ]]</c> headers and the answer ends with
/// <c>[[ ## completed ## ]]</c>. If formatting, the call's parsing or validation fails for a reason other than an LM
/// error, the call is retried once through <see cref="JsonAdapter"/>; that second LM call carries
/// <c>dspy_fallback_from: "ChatAdapter"</c> so it is visible in LM history and usage.
/// </summary>
public partial class ChatAdapter : Adapter
{
    /// <summary>Creates a ChatAdapter.</summary>
    /// <param name="useNativeFunctionCalling">Use native function calling for <c>list[Tool]</c>/<c>ToolCalls</c> fields when the LM supports it.</param>
    /// <param name="useJsonAdapterFallback">Retry with <see cref="JsonAdapter"/> when the call fails for a non-LM reason.</param>
    /// <param name="parallelToolCalls">The provider's <c>parallel_tool_calls</c> option for native tools; null leaves it unset.</param>
    public ChatAdapter(bool useNativeFunctionCalling = false, bool useJsonAdapterFallback = true, bool? parallelToolCalls = null)
        : base(useNativeFunctionCalling, parallelToolCalls)
    {
        UseJsonAdapterFallback = useJsonAdapterFallback;
    }

    /// <summary>Whether a failed call is retried through <see cref="JsonAdapter"/>.</summary>
    public bool UseJsonAdapterFallback { get; }

    [GeneratedRegex(@"^\[\[ ## (\w+) ## \]\]")]
    private static partial Regex FieldHeader();

    /// <inheritdoc/>
    public override async Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.CallAsync(lm, lmKwargs, signature, demos, inputs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!LMErrors.IsLMError(ex) && this is not JsonAdapter && UseJsonAdapterFallback)
        {
            AdapterLogging.FallingBackToJson(AdapterLogging.Logger, ex.GetType().Name, ex);
            var fallback = new JsonAdapter(UseNativeFunctionCalling, ParallelToolCalls);
            var kwargs = new Dictionary<string, object?>(lmKwargs, StringComparer.Ordinal) { ["dspy_fallback_from"] = "ChatAdapter" };
            return await fallback.CallAsync(lm, kwargs, signature, demos, inputs, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string FormatFieldDescription(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return $"Your input fields are:\n{AdapterUtils.GetFieldDescriptionString(signature.InputFields)}\n"
             + $"Your output fields are:\n{AdapterUtils.GetFieldDescriptionString(signature.OutputFields)}";
    }

    /// <inheritdoc/>
    public override string FormatFieldStructure(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var parts = new[]
        {
            "All interactions will be structured in the following way, with the appropriate values filled in.",
            FormatFieldWithValue(signature.InputFields.Select(f => (f, (object?)AdapterUtils.TranslateFieldType(f)))),
            FormatFieldWithValue(signature.OutputFields.Select(f => (f, (object?)AdapterUtils.TranslateFieldType(f)))),
            "[[ ## completed ## ]]\n",
        };
        return PythonText.Strip(string.Join("\n\n", parts));
    }

    /// <inheritdoc/>
    public override string FormatTaskDescription(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var sb = new StringBuilder("In adhering to this structure, your objective is: ");
        foreach (var line in PythonText.SplitLines(PythonText.Dedent(signature.Instructions)))
        {
            sb.Append('\n').Append(' ', 8).Append(line);
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string FormatUserMessageContent(Signature signature, IReadOnlyDictionary<string, object?> inputs, string prefix = "", string suffix = "",
        bool mainRequest = false)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(inputs);
        // DSPy joins [prefix, *fields, requirements, suffix] with blank lines and strips; one builder does the same in one pass.
        var sb = PromptText.Rent();
        sb.Append(prefix);
        foreach (var f in signature.InputFields)
        {
            if (inputs.TryGetValue(f.Name, out var value))
            {
                sb.Append("\n\n[[ ## ").Append(f.Name).Append(" ## ]]\n").Append(AdapterUtils.FormatFieldValue(f, value));
            }
        }
        if (mainRequest && OutputRequirementsFor(signature) is { } requirements) sb.Append("\n\n").Append(requirements);
        sb.Append("\n\n").Append(suffix);
        return PromptText.ToStrippedString(sb);
    }

    // The reminder depends only on the signature (and this adapter), so it is built once per signature.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Signature, StrongBox<string?>> _requirements = new();

    private string? OutputRequirementsFor(Signature signature) =>
        _requirements.GetValue(signature, s => new StrongBox<string?>(UserMessageOutputRequirements(s))).Value;

    /// <summary>
    /// DSPy's <c>user_message_output_requirements</c>: the reminder of which output fields to produce, in order, with type hints.
    /// An override must depend only on the signature: it is cached per signature.
    /// </summary>
    public virtual string? UserMessageOutputRequirements(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return "Respond with the corresponding output fields, starting with the field "
            + string.Join(", then ", signature.OutputFields.Select(f => $"`[[ ## {f.Name} ## ]]`{TypeHint(f)}"))
            + ", and then ending with the marker for `[[ ## completed ## ]]`.";
    }

    /// <summary>The reminder's type hint: none for <c>str</c>, a JSON example for <c>ToolCalls</c>, else the Python type name.</summary>
    protected static string TypeHint(Field field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Type.Kind switch
        {
            TypeKind.ToolCalls => " (must be a JSON object like {\"tool_calls\": [{\"name\": \"...\", \"args\": {...}}]})",
            TypeKind.Str => "",
            _ => $" (must be formatted as a valid Python {field.Type.PythonName})",
        };
    }

    /// <inheritdoc/>
    public override string FormatAssistantMessageContent(Signature signature, IReadOnlyDictionary<string, object?> outputs, string? missingFieldMessage = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(outputs);
        var sb = PromptText.Rent();
        foreach (var f in signature.OutputFields)
        {
            AppendFieldWithValue(sb, f, outputs.TryGetValue(f.Name, out var v) ? v : missingFieldMessage);
        }
        return PromptText.ToStrippedString(sb, "\n\n[[ ## completed ## ]]\n");
    }

    private static void AppendFieldWithValue(StringBuilder sb, Field field, object? value)
    {
        if (sb.Length > 0) sb.Append("\n\n");
        sb.Append("[[ ## ").Append(field.Name).Append(" ## ]]\n").Append(AdapterUtils.FormatFieldValue(field, value));
    }

    /// <summary>DSPy's <c>format_field_with_value</c>: <c>[[ ## name ## ]]⏎value</c> blocks joined by blank lines, stripped.</summary>
    public virtual string FormatFieldWithValue(IEnumerable<(Field Field, object? Value)> fieldsWithValues)
    {
        ArgumentNullException.ThrowIfNull(fieldsWithValues);
        return PythonText.Strip(string.Join("\n\n", fieldsWithValues.Select(fv => $"[[ ## {fv.Field.Name} ## ]]\n{AdapterUtils.FormatFieldValue(fv.Field, fv.Value)}")));
    }

    /// <summary>
    /// Parses <c>[[ ## name ## ]]</c> sections: a header starts a section at the start of a stripped line, the first
    /// occurrence of an output field wins, unknown headers are ignored, and each value goes through
    /// <see cref="ValueParser.ParseValue"/>.
    /// </summary>
    public override Dictionary<string, object?> Parse(Signature signature, string completion)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(completion);
        var sections = new List<(string? Header, List<string> Lines)> { (null, []) };
        foreach (var line in PythonText.SplitLines(completion))
        {
            var match = FieldHeader().Match(PythonText.Strip(line));
            if (match.Success)
            {
                // DSPy cuts the original line at the stripped line's match end; kept for identical results.
                var rest = PythonText.Strip(line[(match.Index + match.Length)..]);
                sections.Add((match.Groups[1].Value, rest.Length > 0 ? [rest] : []));
            }
            else
            {
                sections[^1].Lines.Add(line);
            }
        }

        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (header, lines) in sections)
        {
            if (header is null || fields.ContainsKey(header) || signature[header] is not { IsOutput: true } field) continue;
            var text = PythonText.Strip(string.Join("\n", lines));
            try
            {
                fields[header] = ValueParser.ParseValue(text, field.Type);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new AdapterParseError("ChatAdapter", signature, completion,
                    $"Failed to parse field {header} with value {text} from the LM response. Error message: {ex.Message}", innerException: ex);
            }
        }
        fields = AdapterUtils.ApplyOutputFieldDefaults(signature, fields);
        if (!AdapterUtils.HasAllOutputs(signature, fields))
        {
            throw new AdapterParseError("ChatAdapter", signature, completion, parsedResult: fields);
        }
        return fields;
    }

    /// <summary>
    /// DSPy's <c>format_finetune_data</c>: the formatted messages plus the assistant answer, as
    /// <c>{"messages": [{"role", "content"}, ...]}</c>.
    /// </summary>
    public virtual Dictionary<string, object?> FormatFinetuneData(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs,
        IReadOnlyDictionary<string, object?> outputs)
    {
        var messages = Format(signature, demos, inputs)
            .Select(m => (object?)new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = m.Role.Value, ["content"] = m.Text })
            .ToList();
        messages.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["role"] = "assistant",
            ["content"] = FormatAssistantMessageContent(signature, outputs),
        });
        return new Dictionary<string, object?>(StringComparer.Ordinal) { ["messages"] = messages };
    }
}
