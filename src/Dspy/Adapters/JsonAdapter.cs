using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// DSPy's <c>JSONAdapter</c>: inputs as <c>[[ ## name ## ]]</c> blocks, outputs as one JSON object. Asks the LM for
/// structured output (<c>response_format</c>) when it supports it, and parses leniently (<see cref="JsonRepair"/>).
/// Native function calling is on by default.
/// </summary>
public partial class JsonAdapter : ChatAdapter
{
    /// <summary>Creates a JSONAdapter.</summary>
    public JsonAdapter(bool useNativeFunctionCalling = true, bool? parallelToolCalls = null)
        : base(useNativeFunctionCalling, useJsonAdapterFallback: false, parallelToolCalls)
    {
    }

    /// <summary>The name DSPy gives the structured-output model.</summary>
    public const string StructuredOutputName = "DSPyProgramOutputs";

    /// <summary>
    /// Chooses <c>response_format</c> as DSPy does: none when the LM does not accept it; <c>{"type": "json_object"}</c>
    /// for open-ended dict outputs, non-native ToolCalls, or LMs without schema support; otherwise a strict JSON schema
    /// of the outputs, falling back to JSON mode if that attempt fails for a non-LM reason.
    /// </summary>
    public override async Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(lmKwargs);
        ArgumentNullException.ThrowIfNull(signature);
        if (!lm.SupportedParams.Contains("response_format"))
        {
            return await base.CallAsync(lm, lmKwargs, signature, demos, inputs, cancellationToken).ConfigureAwait(false);
        }
        var kwargs = new Dictionary<string, object?>(lmKwargs, StringComparer.Ordinal);
        var hasToolCalls = signature.OutputFields.Any(f => f.Type.Kind == TypeKind.ToolCalls);
        if (HasOpenEndedMapping(signature) || (!UseNativeFunctionCalling && hasToolCalls) || !lm.SupportsResponseSchema)
        {
            kwargs["response_format"] = JsonObjectFormat();
            return await base.CallAsync(lm, kwargs, signature, demos, inputs, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            kwargs["response_format"] = StructuredOutputsResponseFormat(signature, UseNativeFunctionCalling);
            return await base.CallAsync(lm, kwargs, signature, demos, inputs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!LMErrors.IsLMError(ex))
        {
            AdapterLogging.StructuredOutputFailed(AdapterLogging.Logger, ex);
            kwargs["response_format"] = JsonObjectFormat();
            return await base.CallAsync(lm, kwargs, signature, demos, inputs, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, object?> JsonObjectFormat() => new(StringComparer.Ordinal) { ["type"] = "json_object" };

    private static bool IsOpenEndedMapping(TypeSpec t) => t.Kind == TypeKind.Dict && (t.Args.Count > 0 || t.IsBare);

    private static bool HasOpenEndedMapping(Signature signature) => signature.OutputFields.Any(f => IsOpenEndedMapping(f.Type));

    /// <summary>
    /// The structured-output <c>response_format</c>: <c>{"type": "json_schema", "json_schema": {"name": "DSPyProgramOutputs",
    /// "schema": ..., "strict": true}}</c>, where every object lists all its properties as required and forbids others.
    /// </summary>
    /// <exception cref="ArgumentException">An output is an open-ended mapping.</exception>
    public static Dictionary<string, object?> StructuredOutputsResponseFormat(Signature signature, bool useNativeFunctionCalling = true)
    {
        ArgumentNullException.ThrowIfNull(signature);
        foreach (var f in signature.OutputFields)
        {
            if (IsOpenEndedMapping(f.Type))
            {
                throw new ArgumentException($"Field '{f.Name}' has an open-ended mapping type which is not supported by Structured Outputs.", nameof(signature));
            }
        }
        var fields = signature.OutputFields
            .Where(f => !(useNativeFunctionCalling && f.Type.Kind == TypeKind.ToolCalls))
            .Select(f => new ModelField(f.Name, f.Type, !f.HasDefault, ValueModel.FromClr(f.DefaultValue), null, []))
            .ToList();
        var schema = PydanticJsonSchema.GenerateModel(StructuredOutputName, fields, forbidExtra: true);
        EnforceRequired(schema);
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = "json_schema",
            ["json_schema"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = StructuredOutputName,
                ["schema"] = schema,
                ["strict"] = true,
            },
        };
    }

    private static void EnforceRequired(Dictionary<string, object?> part)
    {
        if (part.TryGetValue("type", out var t) && t as string == "object")
        {
            if (part.TryGetValue("properties", out var props) && props is Dictionary<string, object?> properties)
            {
                part["required"] = properties.Keys.Select(k => (object?)k).ToList();
                part["additionalProperties"] = false;
                foreach (var sub in properties.Values.OfType<Dictionary<string, object?>>()) EnforceRequired(sub);
            }
            else
            {
                part["properties"] = new Dictionary<string, object?>(StringComparer.Ordinal);
                part["required"] = new List<object?>();
                part["additionalProperties"] = false;
            }
        }
        if (part.TryGetValue("type", out var at) && at as string == "array" && part.TryGetValue("items", out var items) && items is Dictionary<string, object?> itemSchema)
        {
            EnforceRequired(itemSchema);
        }
        foreach (var key in new[] { "$defs", "definitions" })
        {
            if (part.TryGetValue(key, out var defs) && defs is Dictionary<string, object?> d)
            {
                foreach (var def in d.Values.OfType<Dictionary<string, object?>>()) EnforceRequired(def);
            }
        }
    }

    /// <inheritdoc/>
    public override string FormatFieldStructure(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var parts = new[]
        {
            "All interactions will be structured in the following way, with the appropriate values filled in.",
            "Inputs will have the following structure:",
            FormatFieldWithValue(signature.InputFields.Select(f => (f, (object?)AdapterUtils.TranslateFieldType(f)))),
            "Outputs will be a JSON object with the following fields.",
            FormatOutputsAsJson(signature.OutputFields.Select(f => (f, (object?)AdapterUtils.TranslateFieldType(f)))),
        };
        return PythonText.Strip(string.Join("\n\n", parts));
    }

    /// <inheritdoc/>
    public override string? UserMessageOutputRequirements(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return "Respond with a JSON object in the following order of fields: "
            + string.Join(", then ", signature.OutputFields.Select(f => $"`{f.Name}`{TypeHint(f)}")) + ".";
    }

    /// <inheritdoc/>
    public override string FormatAssistantMessageContent(Signature signature, IReadOnlyDictionary<string, object?> outputs, string? missingFieldMessage = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(outputs);
        return FormatOutputsAsJson(signature.OutputFields.Select(f => (f, outputs.TryGetValue(f.Name, out var v) ? v : missingFieldMessage)));
    }

    /// <summary>The assistant side of DSPy's JSON <c>format_field_with_value</c>: <c>json.dumps({name: value}, indent=2)</c>.</summary>
    public static string FormatOutputsAsJson(IEnumerable<(Field Field, object? Value)> fieldsWithValues)
    {
        ArgumentNullException.ThrowIfNull(fieldsWithValues);
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (field, value) in fieldsWithValues) d[field.Name] = value;
        return PythonJson.Dumps(AdapterUtils.SerializeForJson(d), indent: 2);
    }

    [GeneratedRegex(@"\{(?>[^{}]+|\{(?<depth>)|\}(?<-depth>))*(?(depth)(?!))\}", RegexOptions.Singleline)]
    private static partial Regex BalancedObject();

    /// <summary>
    /// Parses the response as a JSON object (leniently), falling back to the first balanced <c>{...}</c>; keeps only output
    /// fields, parses each with <see cref="ValueParser.ParseValue"/>, and applies defaults.
    /// </summary>
    public override Dictionary<string, object?> Parse(Signature signature, string completion)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(completion);
        var parsed = JsonRepair.Loads(completion);
        if (parsed is not Dictionary<string, object?>)
        {
            var match = BalancedObject().Match(completion);
            if (match.Success)
            {
                completion = match.Value;
                parsed = JsonRepair.Loads(completion);
            }
        }
        if (parsed is not Dictionary<string, object?> dict)
        {
            throw new AdapterParseError("JSONAdapter", signature, completion, "LM response cannot be serialized to a JSON object.");
        }
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in dict)
        {
            if (signature[k] is { IsOutput: true } field) fields[k] = ValueParser.ParseValue(v, field.Type);
        }
        fields = AdapterUtils.ApplyOutputFieldDefaults(signature, fields);
        if (!AdapterUtils.HasAllOutputs(signature, fields))
        {
            throw new AdapterParseError("JSONAdapter", signature, completion, parsedResult: fields);
        }
        return fields;
    }

    /// <summary>Not supported by DSPy's JSONAdapter either.</summary>
    public override Dictionary<string, object?> FormatFinetuneData(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs,
        IReadOnlyDictionary<string, object?> outputs) => throw new NotSupportedException("JSONAdapter does not format finetune data.");
}
