using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;

namespace Dspy;

/// <summary>
/// Adds the <c>title</c>s pydantic puts in JSON schemas, so tool argument schemas read as DSPy's do: a model or enum
/// schema is titled with its class name, and a model's plain properties with their title-cased names
/// (<c>zip_code</c> gives <c>Zip Code</c>); properties that are themselves models or enums carry only the nested title.
/// </summary>
internal static class ToolSchemaTitles
{
    public static void Add(Dictionary<string, object?> schema, Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            schema["title"] = t.Name;
            return;
        }
        if (TypeSpecs.FromClrType(t) is var spec && spec.Kind == TypeKind.List && ElementType(t) is { } element
            && schema.GetValueOrDefault("items") is Dictionary<string, object?> items)
        {
            Add(items, element);
            return;
        }
        if (spec.Kind != TypeKind.Object || schema.GetValueOrDefault("properties") is not Dictionary<string, object?> properties) return;
        schema["title"] = t.Name;
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var jsonName = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                ?? DspyJson.Options.PropertyNamingPolicy?.ConvertName(property.Name) ?? property.Name;
            if (properties.GetValueOrDefault(jsonName) is not Dictionary<string, object?> ps) continue;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var nestedKind = TypeSpecs.FromClrType(propertyType).Kind;
            if (nestedKind is TypeKind.Object or TypeKind.Enum)
            {
                Add(ps, propertyType);
            }
            else
            {
                ps["title"] = PythonTitle(jsonName);
                if (nestedKind == TypeKind.List && ElementType(propertyType) is { } e && ps.GetValueOrDefault("items") is Dictionary<string, object?> pi)
                {
                    Add(pi, e);
                }
            }
        }
    }

    private static Type? ElementType(Type t) =>
        t.IsArray ? t.GetElementType() : t.IsGenericType && t.GetGenericArguments().Length == 1 ? t.GetGenericArguments()[0] : null;

    /// <summary>pydantic's default title: Python's <c>str.title()</c>, then underscores as spaces.</summary>
    internal static string PythonTitle(string name)
    {
        var sb = new StringBuilder(name.Length);
        var previousCased = false;
        foreach (var c in name)
        {
            var cased = char.IsUpper(c) || char.IsLower(c);
            sb.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }
        return sb.Replace('_', ' ').ToString();
    }
}
