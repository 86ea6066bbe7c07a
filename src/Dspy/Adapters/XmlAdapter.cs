using System.Collections;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Dspy;

/// <summary>
/// DSPy's <c>XMLAdapter</c>: every field is wrapped in <c>&lt;name&gt;</c> tags. Structured outputs (records, lists,
/// dicts) are shown and read as nested XML; repeated child tags become lists.
/// </summary>
public class XmlAdapter : ChatAdapter
{
    /// <summary>Creates an XMLAdapter.</summary>
    public XmlAdapter(bool useNativeFunctionCalling = false, bool useJsonAdapterFallback = true, bool? parallelToolCalls = null)
        : base(useNativeFunctionCalling, useJsonAdapterFallback, parallelToolCalls)
    {
    }

    /// <inheritdoc/>
    public override string FormatFieldWithValue(IEnumerable<(Field Field, object? Value)> fieldsWithValues)
    {
        ArgumentNullException.ThrowIfNull(fieldsWithValues);
        var output = new List<string>();
        foreach (var (field, value) in fieldsWithValues)
        {
            var serialized = AdapterUtils.SerializeForJson(value);
            if (field.IsOutput && UsesNestedXml(field.Type) && serialized is IDictionary or IList)
            {
                output.Add(ValueToXml(serialized, field.Name));
                continue;
            }
            var formatted = AdapterUtils.FormatFieldValue(field, value);
            if (field.IsOutput && field.Type.Kind == TypeKind.Str) formatted = EscapeText(formatted);
            output.Add($"<{field.Name}>\n{formatted}\n</{field.Name}>");
        }
        return PythonText.Strip(string.Join("\n\n", output));
    }

    /// <inheritdoc/>
    public override string FormatFieldStructure(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        string FormatField(Field f) => f.IsOutput && UsesNestedXml(f.Type)
            ? XmlSchema(f.Name, f.Type)
            : FormatFieldWithValue([(f, AdapterUtils.TranslateFieldType(f))]);
        return string.Join("\n\n",
            "All interactions will be structured in the following way, with the appropriate values filled in.",
            string.Join("\n\n", signature.InputFields.Select(FormatField)),
            string.Join("\n\n", signature.OutputFields.Select(FormatField)));
    }

    /// <inheritdoc/>
    public override string FormatUserMessageContent(Signature signature, IReadOnlyDictionary<string, object?> inputs, string prefix = "", string suffix = "",
        bool mainRequest = false)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(inputs);
        var fields = signature.InputFields.Where(f => inputs.ContainsKey(f.Name)).Select(f => (f, inputs[f.Name]));
        var messages = new List<string> { prefix, FormatFieldWithValue(fields) };
        if (mainRequest) messages.Add(UserMessageOutputRequirements(signature)!);
        messages.Add(suffix);
        return PythonText.Strip(string.Join("\n\n", messages));
    }

    /// <inheritdoc/>
    public override string FormatAssistantMessageContent(Signature signature, IReadOnlyDictionary<string, object?> outputs, string? missingFieldMessage = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(outputs);
        return FormatFieldWithValue(signature.OutputFields.Select(f => (f, outputs.TryGetValue(f.Name, out var v) ? v : missingFieldMessage)));
    }

    /// <inheritdoc/>
    public override string? UserMessageOutputRequirements(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var fields = string.Join(", then ", signature.OutputFields.Select(f => $"`<{f.Name}>`"));
        var schemas = signature.OutputFields.Where(f => UsesNestedXml(f.Type)).Select(f => XmlSchema(f.Name, f.Type)).ToList();
        return $"Respond with the corresponding output fields wrapped in XML tags {fields}."
            + (schemas.Count > 0 ? " Use this nested XML structure: " + string.Join(" ", schemas) : "");
    }

    /// <summary>Parses the response wrapped in a root element; repeated child tags become lists; values go through <see cref="ValueParser.ParseValue"/>.</summary>
    public override Dictionary<string, object?> Parse(Signature signature, string completion)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(completion);
        XElement root;
        try
        {
            root = XElement.Parse("<dspy_root>" + completion + "</dspy_root>", LoadOptions.PreserveWhitespace);
        }
        catch (XmlException ex)
        {
            throw new AdapterParseError("XMLAdapter", signature, completion, $"Failed to parse XML: {ex.Message}", innerException: ex);
        }
        var elements = GroupChildren(root);
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in signature.OutputFields)
        {
            if (!elements.TryGetValue(field.Name, out var items)) continue;
            var schema = PydanticJsonSchema.Generate(field.Type);
            var defs = schema.TryGetValue("$defs", out var d) && d is Dictionary<string, object?> dd ? dd : [];
            var candidates = new List<Dictionary<string, object?>> { schema };
            if (schema.TryGetValue("anyOf", out var any) && any is List<object?> anyOf) candidates.AddRange(anyOf.OfType<Dictionary<string, object?>>());
            object? value = null;
            Exception? error = null;
            var parsed = false;
            foreach (var candidate in candidates)
            {
                try
                {
                    value = ElementsToValue(items, candidate, defs);
                    try
                    {
                        fields[field.Name] = ValueParser.ParseValue(value, field.Type);
                    }
                    catch (ValueValidationException)
                    {
                        fields[field.Name] = ValueParser.Validate(value, field.Type);
                    }
                    parsed = true;
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    error = ex;
                }
            }
            if (!parsed)
            {
                throw new AdapterParseError("XMLAdapter", signature, completion,
                    $"Failed to parse field {field.Name} with value {PythonRepr.Str(value)}: {error?.Message}", innerException: error);
            }
        }
        fields = AdapterUtils.ApplyOutputFieldDefaults(signature, fields);
        if (!AdapterUtils.HasAllOutputs(signature, fields))
        {
            throw new AdapterParseError("XMLAdapter", signature, completion, parsedResult: fields);
        }
        return fields;
    }

    /// <summary>Escapes <c>&amp;</c> and <c>&lt;</c> as DSPy does in XML text.</summary>
    public static string EscapeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
    }

    /// <summary>DSPy's <c>_uses_nested_xml</c>: records, lists and dicts (also inside Optional), but not lists of DSPy types.</summary>
    public static bool UsesNestedXml(TypeSpec type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var annotation = type.Kind == TypeKind.Union && type.Args.Count(a => a.Kind != TypeKind.NoneType) == 1
            ? type.Args.First(a => a.Kind != TypeKind.NoneType)
            : type;
        var hasOrigin = annotation.Kind is TypeKind.List or TypeKind.Dict && (annotation.Args.Count > 0 || annotation.IsBare);
        var item = annotation.Kind == TypeKind.List && annotation.Args.Count > 0 ? annotation.Args[0] : annotation;
        var isDspyModel = item.Kind is TypeKind.Image or TypeKind.ToolCalls or TypeKind.History or TypeKind.Code or TypeKind.Tool;
        return !isDspyModel && (hasOrigin || annotation.Kind == TypeKind.Object);
    }

    /// <summary>DSPy's <c>_value_to_xml</c>: compact nested XML of a value-model value.</summary>
    public static string ValueToXml(object? value, string tag, string? key = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var attrs = key is null ? "" : " key=" + QuoteAttr(key);
        switch (value)
        {
            case IDictionary dict:
            {
                var sb = new StringBuilder();
                foreach (DictionaryEntry kv in dict)
                {
                    var name = PythonRepr.Str(kv.Key);
                    var candidate = name.Length == 0 ? "" : name[..1] + name[1..].Replace('-', '_').Replace('.', '_');
                    sb.Append(IsIdentifier(candidate) ? ValueToXml(kv.Value, name) : ValueToXml(kv.Value, "entry", name));
                }
                return $"<{tag}{attrs}>{sb}</{tag}>";
            }
            case IList list:
            {
                var children = string.Concat(list.Cast<object?>().Select(i => ValueToXml(i, "item")));
                return children.Length > 0 ? $"<{tag}{attrs}>{children}</{tag}>" : $"<{tag}{attrs} />";
            }
            case null:
                return $"<{tag}{attrs} />";
            default:
                return $"<{tag}{attrs}>{EscapeText(PythonRepr.Str(value))}</{tag}>";
        }
    }

    private static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.Skip(1).All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>Python's <c>xml.sax.saxutils.quoteattr</c>.</summary>
    public static string QuoteAttr(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var v = value.Replace("&", "&amp;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace("\n", "&#10;", StringComparison.Ordinal).Replace("\r", "&#13;", StringComparison.Ordinal).Replace("\t", "&#9;", StringComparison.Ordinal);
        if (v.Contains('"', StringComparison.Ordinal))
        {
            return v.Contains('\'', StringComparison.Ordinal) ? "\"" + v.Replace("\"", "&quot;", StringComparison.Ordinal) + "\"" : "'" + v + "'";
        }
        return "\"" + v + "\"";
    }

    /// <summary>DSPy's <c>_xml_schema</c>: an XML skeleton of a structured annotation, e.g. <c>&lt;a&gt;&lt;b&gt;...&lt;/b&gt;&lt;/a&gt;</c>.</summary>
    public static string XmlSchema(string tag, TypeSpec type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var schema = PydanticJsonSchema.Generate(type);
        var defs = schema.TryGetValue("$defs", out var d) && d is Dictionary<string, object?> dd ? dd : [];
        return SchemaToXml(tag, schema, defs, []);
    }

    private static string SchemaToXml(string tag, Dictionary<string, object?> schema, Dictionary<string, object?> defs, HashSet<string> seen)
    {
        if (schema.TryGetValue("$ref", out var r) && r is string reference)
        {
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            if (seen.Contains(name)) return $"<{tag}>...</{tag}>";
            return SchemaToXml(tag, (Dictionary<string, object?>)defs[name]!, defs, [.. seen, name]);
        }
        if (schema.TryGetValue("anyOf", out var a) && a is List<object?> { Count: > 0 } choices)
        {
            var chosen = choices.OfType<Dictionary<string, object?>>().FirstOrDefault(c => TypeOf(c) != "null") ?? (Dictionary<string, object?>)choices[0]!;
            return SchemaToXml(tag, chosen, defs, seen);
        }
        if (TypeOf(schema) == "array")
        {
            var items = schema.TryGetValue("items", out var i) && i is Dictionary<string, object?> id ? id : [];
            return $"<{tag}>{SchemaToXml("item", items, defs, seen)}</{tag}>";
        }
        var properties = schema.TryGetValue("properties", out var p) && p is Dictionary<string, object?> pd ? pd : [];
        var children = string.Concat(properties.Select(kv => SchemaToXml(kv.Key, (Dictionary<string, object?>)kv.Value!, defs, seen)));
        return children.Length > 0 ? $"<{tag}>{children}</{tag}>" : $"<{tag}>...</{tag}>";
    }

    private static string? TypeOf(Dictionary<string, object?> schema) => schema.TryGetValue("type", out var t) ? t as string : null;

    private static Dictionary<string, List<XElement>> GroupChildren(XElement element)
    {
        var children = new Dictionary<string, List<XElement>>(StringComparer.Ordinal);
        foreach (var child in element.Elements())
        {
            var key = child.Name.LocalName == "entry" ? (string?)child.Attribute("key") ?? "entry" : child.Name.LocalName;
            if (!children.TryGetValue(key, out var list)) children[key] = list = [];
            list.Add(child);
        }
        return children;
    }

    // ElementTree's element.text: the text before the first child element.
    private static string LeadingText(XElement e) => string.Concat(e.Nodes().TakeWhile(n => n is not XElement).OfType<XText>().Select(t => t.Value));

    private static object? ElementsToValue(List<XElement> elements, Dictionary<string, object?> schema, Dictionary<string, object?> defs)
    {
        if (schema.TryGetValue("$ref", out var r) && r is string reference && defs.TryGetValue(reference[(reference.LastIndexOf('/') + 1)..], out var def)
            && def is Dictionary<string, object?> resolved)
        {
            schema = resolved;
        }
        if (schema.TryGetValue("anyOf", out var a) && a is List<object?> { Count: > 0 } anyOf)
        {
            var choices = anyOf.OfType<Dictionary<string, object?>>().ToList();
            var first = elements[0];
            if (choices.Any(c => c.Count == 1 && TypeOf(c) == "null") && !first.HasElements && PythonText.Strip(LeadingText(first)).Length == 0) return null;
            choices = choices.Where(c => TypeOf(c) != "null").ToList();
            schema = choices[0];
            if (first.HasElements) schema = choices.FirstOrDefault(c => TypeOf(c) != "string") ?? schema;
        }
        if (TypeOf(schema) == "array")
        {
            if (elements.Count == 1 && !elements[0].HasElements)
            {
                var text = PythonText.Strip(LeadingText(elements[0]));
                if (text.Length == 0) return new List<object?>();
                if (text.StartsWith('[')) return text;
            }
            if (elements.Count == 1 && GroupChildren(elements[0]).TryGetValue("item", out var items) && items.Count > 0) elements = items;
            var itemSchema = schema.TryGetValue("items", out var i) && i is Dictionary<string, object?> id ? id : [];
            return elements.Select(e => ElementsToValue([e], itemSchema, defs)).ToList();
        }
        var element = elements[0];
        if (TypeOf(schema) == "string" && element.HasElements)
        {
            return LeadingText(element) + string.Concat(element.Elements().Select(c => c.ToString(SaveOptions.DisableFormatting) + TailText(c)));
        }
        var children = GroupChildren(element);
        if (children.Count == 0)
        {
            if (TypeOf(schema) == "object" && PythonText.Strip(LeadingText(element)).Length == 0) return new Dictionary<string, object?>();
            var values = elements.Select(e => (object?)PythonText.Strip(LeadingText(e))).ToList();
            return values.Count == 1 ? values[0] : values;
        }
        var properties = schema.TryGetValue("properties", out var p) && p is Dictionary<string, object?> pd ? pd : [];
        var childSchema = schema.TryGetValue("additionalProperties", out var ap) && ap is Dictionary<string, object?> apd ? apd : [];
        return children.ToDictionary(kv => kv.Key,
            kv => ElementsToValue(kv.Value, properties.TryGetValue(kv.Key, out var ps) && ps is Dictionary<string, object?> psd ? psd : childSchema, defs),
            StringComparer.Ordinal);
    }

    private static string TailText(XElement e) => string.Concat(e.NodesAfterSelf().TakeWhile(n => n is not XElement).OfType<XText>().Select(t => t.Value));
}
