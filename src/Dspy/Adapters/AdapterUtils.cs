using System.Collections;
using System.Text;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy/adapters/utils.py</c>: how field descriptions, type notes and values are rendered into prompts,
/// shared by every adapter.
/// </summary>
public static class AdapterUtils
{
    /// <summary>
    /// DSPy's <c>get_field_description_string</c>: a numbered list <c>1. `name` (type): desc</c>, with custom-type
    /// descriptions and constraints, joined by newlines and stripped (so only the last line loses its trailing space).
    /// </summary>
    public static string GetFieldDescriptionString(IEnumerable<Field> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var lines = new List<string>();
        var idx = 0;
        foreach (var f in fields)
        {
            idx++;
            var desc = f.HasDefaultDescription ? "" : f.Description;
            foreach (var (name, description) in DspyTypes.DescriptionsIn(f.Type))
            {
                desc += $"\n    Type description of {name}: {description}";
            }
            var line = $"{idx}. `{f.Name}` ({f.Type.PythonName}): {desc}";
            if (!string.IsNullOrEmpty(f.Constraints)) line += $"\nConstraints: {f.Constraints}";
            lines.Add(line);
        }
        return PythonText.Strip(string.Join("\n", lines));
    }

    /// <summary>
    /// DSPy's <c>translate_field_type</c>: the placeholder <c>{name}</c> plus, for typed outputs, 8 spaces and
    /// <c># note: the value you produce ...</c>.
    /// </summary>
    public static string TranslateFieldType(Field field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var t = field.Type;
        string desc;
        if (field.IsInput || t.Kind is TypeKind.Str or TypeKind.Reasoning)
        {
            desc = "";
        }
        else if (t.Kind == TypeKind.Bool)
        {
            desc = "must be True or False";
        }
        else if (t.Kind is TypeKind.Int or TypeKind.Float)
        {
            desc = $"must be a single {t.PythonName} value";
        }
        else if (t.Kind == TypeKind.Enum)
        {
            desc = "must be one of: " + string.Join("; ", Enum.GetValues(t.ClrType!).Cast<Enum>().Select(ValueModel.EnumValue));
        }
        else if (t.Kind == TypeKind.Literal)
        {
            desc = "must exactly match (no extra characters) one of: " + string.Join("; ", t.LiteralValues.Select(PythonRepr.Str));
        }
        else if (t.Kind == TypeKind.Code)
        {
            // Code's type description already tells the LM how to write it.
            desc = "";
        }
        else
        {
            desc = "must adhere to the JSON schema: " + JsonSchemaText(t);
        }
        return "{" + field.Name + "}" + (desc.Length > 0 ? new string(' ', 8) + "# note: the value you produce " + desc : "");
    }

    /// <summary>The JSON schema of an annotation as DSPy prints it in notes: pydantic's schema, keys sorted with <c>type</c> first, Python <c>json.dumps</c>.</summary>
    public static string JsonSchemaText(TypeSpec type) => PythonJson.Dumps(PydanticJsonSchema.SortForPrompt(PydanticJsonSchema.Generate(type)));

    /// <summary>
    /// DSPy's <c>format_field_value</c>: a list in a <c>str</c> field becomes a numbered «» list; dicts and lists are
    /// printed with Python <c>json.dumps</c>; anything else with Python <c>str()</c>.
    /// </summary>
    public static string FormatFieldValue(Field field, object? value)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (value is IList list && value is not string && field.Type.Kind == TypeKind.Str) return FormatInputList(list);
        var jsonable = SerializeForJson(value);
        return jsonable is IDictionary or IList ? PythonJson.Dumps(jsonable) : PythonRepr.Str(jsonable);
    }

    /// <summary>
    /// DSPy's <c>serialize_for_json</c> (pydantic's JSON-mode dump): records become dictionaries in declaration order,
    /// enums their values, custom types their serialisation; values that cannot be serialised fall back to their string form.
    /// </summary>
    public static object? SerializeForJson(object? value) => Serialize(value, nested: false);

    // pydantic's JSON mode turns non-finite floats nested in containers into None, but leaves a top-level float as it is.
    private static object? Serialize(object? value, bool nested)
    {
        switch (value)
        {
            case double d when nested && !double.IsFinite(d):
                return null;
            case float f when nested && !float.IsFinite(f):
                return null;
            case null or string or bool or long or double or System.Numerics.BigInteger:
                return value;
            case IDspyType t:
                return Serialize(t.Serialize(), nested);
            case History h:
                return h.ToValue();
            case Enum e:
                return ValueModel.EnumValue(e);
            case int or short or byte or sbyte or uint or ushort or ulong or float or decimal or char:
                return ValueModel.FromClr(value);
            case System.Text.Json.JsonElement je:
                return ValueModel.FromJson(je);
            case IList or Dictionary<string, object?> when IsPlainJson(value):
                // Already in pydantic's JSON shape (the common case for demo and input values): nothing to copy.
                return value;
            case IDictionary dict:
            {
                var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry kv in dict) d[KeyText(kv.Key)] = Serialize(kv.Value, nested: true);
                return d;
            }
            case IEnumerable<KeyValuePair<string, object?>> pairs and not IList:
                return pairs.ToDictionary(kv => kv.Key, kv => Serialize(kv.Value, nested: true), StringComparer.Ordinal);
            case IEnumerable items:
                return items.Cast<object?>().Select(x => Serialize(x, nested: true)).ToList();
            case System.Runtime.CompilerServices.ITuple tuple:
                return Enumerable.Range(0, tuple.Length).Select(i => Serialize(tuple[i], nested: true)).ToList();
            case IToolDefinition:
            case not null when value.GetType().Name == "Tool":
                // DSPy's Tool serialises to its str(): "name, whose description is <desc>...</desc>. It takes arguments {...}."
                return value.ToString();
            default:
                try
                {
                    return ValueModel.FromClr(value);
                }
#pragma warning disable CA1031 // pydantic falls back to str(value) on any serialisation failure.
                catch (Exception)
#pragma warning restore CA1031
                {
                    return value.ToString();
                }
        }
    }

    // Strings, integers, finite floats, booleans and None, in lists and string-keyed dictionaries of the same.
    private static bool IsPlainJson(object? value)
    {
        switch (value)
        {
            case null or string or bool or long:
                return true;
            case double d:
                return double.IsFinite(d);
            case List<object?> list:
                foreach (var item in list)
                {
                    if (!IsPlainJson(item)) return false;
                }
                return true;
            case Dictionary<string, object?> dict:
                foreach (var item in dict.Values)
                {
                    if (!IsPlainJson(item)) return false;
                }
                return true;
            default:
                return false;
        }
    }

    // pydantic's JSON mode writes dict keys with Python's str(): 1 -> "1", True -> "True", 2.5 -> "2.5".
    private static string KeyText(object key) => key switch
    {
        string s => s,
        Enum e => ValueModel.EnumValue(e),
        _ => PythonRepr.Str(ValueModel.FromClr(key)),
    };

    /// <summary>DSPy's <c>_format_input_list_field_value</c>: <c>N/A</c>, a single «item», or <c>[1] «a»⏎[2] «b»</c>.</summary>
    public static string FormatInputList(IList value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Count == 0) return "N/A";
        if (value.Count == 1) return FormatBlob(value[0]);
        var sb = new StringBuilder();
        for (var i = 0; i < value.Count; i++)
        {
            if (i > 0) sb.Append('\n');
            sb.Append('[').Append(i + 1).Append("] ").Append(FormatBlob(value[i]));
        }
        return sb.ToString();
    }

    /// <summary>DSPy's <c>_format_blob</c>: <c>«text»</c>, or a <c>«««</c> block with 4-space indented lines for multi-line text.</summary>
    public static string FormatBlob(object? blob)
    {
        bool Contains(string needle) => blob switch
        {
            string s => s.Contains(needle, StringComparison.Ordinal),
            IDictionary d => d.Contains(needle),
            IEnumerable e => e.Cast<object?>().Any(x => x is string xs && xs == needle),
            // Python raises TypeError for `"\n" in 5`; the same input fails here.
            _ => throw new InvalidOperationException($"argument of type '{ValueValidationException.PythonTypeName(blob)}' is not iterable"),
        };
        if (!Contains("\n") && !Contains("«") && !Contains("»")) return "«" + PythonRepr.Str(blob) + "»";
        var text = blob as string ?? throw new InvalidOperationException($"'{ValueValidationException.PythonTypeName(blob)}' object has no attribute 'replace'");
        return "«««\n    " + text.Replace("\n", "\n    ", StringComparison.Ordinal) + "\n»»»";
    }

    /// <summary>
    /// DSPy's <c>apply_output_field_defaults</c>: in signature order, parsed values, else a field's default, else None
    /// when the annotation allows it; required fields that are missing stay missing.
    /// </summary>
    public static Dictionary<string, object?> ApplyOutputFieldDefaults(Signature signature, IReadOnlyDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(fields);
        var completed = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var f in signature.OutputFields)
        {
            if (fields.TryGetValue(f.Name, out var v)) completed[f.Name] = v;
            else if (f.HasDefault) completed[f.Name] = f.DefaultValue;
            else if (AnnotationAllowsNone(f.Type)) completed[f.Name] = null;
        }
        return completed;
    }

    /// <summary>DSPy's <c>annotation_allows_none</c>: <c>None</c> itself, or a union with a member that allows None.</summary>
    public static bool AnnotationAllowsNone(TypeSpec type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Kind == TypeKind.NoneType || (type.Kind == TypeKind.Union && type.Args.Any(AnnotationAllowsNone));
    }

    /// <summary>True when the parsed keys are exactly the signature's output names.</summary>
    internal static bool HasAllOutputs(Signature signature, IReadOnlyDictionary<string, object?> fields) =>
        fields.Count == signature.OutputFields.Count && signature.OutputFields.All(f => fields.ContainsKey(f.Name));
}
