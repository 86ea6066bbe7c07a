using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dspy;

/// <summary>
/// Conversions into the library's value model (string, bool, long, double, null, <see cref="List{T}"/> of values,
/// <see cref="Dictionary{TKey, TValue}"/> with string keys): from JSON text and elements, and from CLR objects.
/// This is the shape in which values are rendered into prompts, hashed and compared.
/// </summary>
public static class ValueModel
{
    /// <summary>
    /// Converts a JSON element: a number with a fraction or exponent becomes a double (Python float), any other
    /// number a long (Python int), objects become ordered dictionaries.
    /// </summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => NumberFromText(element.GetRawText()),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => ObjectFromJson(element),
        _ => throw new ArgumentOutOfRangeException(nameof(element), element.ValueKind, "Unsupported JSON value."),
    };

    /// <summary>Parses JSON text into the value model.</summary>
    public static object? ParseJson(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        return FromJson(doc.RootElement);
    }

    private static Dictionary<string, object?> ObjectFromJson(JsonElement element)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject()) d[p.Name] = FromJson(p.Value);
        return d;
    }

    private static object NumberFromText(string raw)
    {
        var isFloat = raw.AsSpan().IndexOfAny(".eE") >= 0;
        if (!isFloat && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (!isFloat && System.Numerics.BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)) return big;
        return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Converts a CLR object to the value model as pydantic's JSON mode would dump it: records and classes become
    /// dictionaries in declaration order (snake_case names), enums their DSPy value, collections lists.
    /// Values already in the model are returned as they are.
    /// </summary>
    public static object? FromClr(object? value)
    {
        switch (value)
        {
            case null or string or bool or long or double or System.Numerics.BigInteger: return value;
            case int or short or byte or sbyte or ushort or uint: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong u: return u <= long.MaxValue ? (long)u : (object)new System.Numerics.BigInteger(u);
            case float f: return (double)f;
            case decimal m: return (double)m;
            case char c: return c.ToString();
            case Enum e: return EnumValue(e);
            case JsonElement je: return FromJson(je);
            case System.Text.Json.Nodes.JsonNode node: return ParseJson(node.ToJsonString());
            case IDictionary<string, object?> sd when value is Dictionary<string, object?>:
                return sd.ToDictionary(kv => kv.Key, kv => FromClr(kv.Value), StringComparer.Ordinal);
            case IDictionary dict:
                var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry kv in dict) d[Convert.ToString(FromClr(kv.Key) is var k && k is bool kb ? (kb ? "True" : "False") : k, CultureInfo.InvariantCulture) ?? "None"] = FromClr(kv.Value);
                return d;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                return pairs.ToDictionary(kv => kv.Key, kv => FromClr(kv.Value), StringComparer.Ordinal);
            case IEnumerable items:
                return items.Cast<object?>().Select(FromClr).ToList();
            case System.Runtime.CompilerServices.ITuple t:
                return Enumerable.Range(0, t.Length).Select(i => FromClr(t[i])).ToList();
            default:
                var info = DspyJson.Options.GetTypeInfo(value.GetType());
                if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object
                    && value.GetType().GetCustomAttribute<JsonConverterAttribute>() is null
                    && !DspyJson.Options.Converters.Any(c => c.CanConvert(value.GetType())))
                {
                    // Records and classes, member by member in declaration order, so that a double stays a Python
                    // float (1.0) instead of becoming the JSON number 1.
                    var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var p in info.Properties)
                    {
                        if (p.Get is null) continue;
                        var v = p.Get(value);
                        if (p.ShouldSerialize is not null && !p.ShouldSerialize(value, v)) continue;
                        fields[p.Name] = FromClr(v);
                    }
                    return fields;
                }
                // Types with their own converters: serialise with the DSPy JSON options.
                var element = JsonSerializer.SerializeToElement(value, value.GetType(), DspyJson.Options);
                return FromJson(element);
        }
    }

    /// <summary>
    /// The DSPy value of an enum member: its <see cref="JsonStringEnumMemberNameAttribute"/> or
    /// <see cref="EnumMemberAttribute"/> value if present, else its name.
    /// </summary>
    public static string EnumValue(Enum e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var name = e.ToString();
        var member = e.GetType().GetField(name, BindingFlags.Public | BindingFlags.Static);
        if (member is null) return name;
        var json = member.GetCustomAttribute<JsonStringEnumMemberNameAttribute>();
        if (json is not null) return json.Name;
        var em = member.GetCustomAttribute<EnumMemberAttribute>();
        return em?.Value ?? name;
    }
}
