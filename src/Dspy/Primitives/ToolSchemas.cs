using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// Builds a <see cref="Tool"/>'s per-argument JSON schemas the way DSPy does with pydantic: one schema per
/// parameter, <c>$ref</c>s resolved inline, keys sorted (pydantic sorts schema keys, keeping property order),
/// nullable types as <c>anyOf</c> with <c>{"type": "null"}</c>, then <c>"default"</c> and <c>"description"</c> appended last.
/// The raw schemas come from Microsoft.Extensions.AI's function schema generator.
/// </summary>
internal static class ToolSchemas
{
    // DSPy's own JSON options, except that numbers are strict so that schemas say "integer", not "integer or string".
    private static readonly JsonSerializerOptions SchemaOptions = CreateSchemaOptions();

    private static JsonSerializerOptions CreateSchemaOptions()
    {
        var o = new JsonSerializerOptions(DspyJson.Options) { NumberHandling = JsonNumberHandling.Strict };
        o.MakeReadOnly();
        return o;
    }

    public static Dictionary<string, object?> FromMethod(MethodInfo method, IReadOnlyDictionary<string, string>? argDesc)
    {
        var schema = AIJsonUtilities.CreateFunctionJsonSchema(method, serializerOptions: SchemaOptions);
        var types = method.GetParameters().Where(p => p.Name is not null).ToDictionary(p => p.Name!, p => p.ParameterType, StringComparer.Ordinal);
        return FromFunctionSchema(schema, argDesc, types);
    }

    public static Dictionary<string, object?> FromFunctionSchema(JsonElement functionSchema, IReadOnlyDictionary<string, string>? argDesc,
        IReadOnlyDictionary<string, Type>? clrTypes = null)
    {
        var root = ValueModel.FromJson(functionSchema) as Dictionary<string, object?> ?? [];
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (root.GetValueOrDefault("properties") is not Dictionary<string, object?> properties) return result;
        foreach (var (name, value) in properties)
        {
            var resolved = Resolve(value, root, 0);
            if (resolved is Dictionary<string, object?> raw && clrTypes is not null && clrTypes.TryGetValue(name, out var clrType))
            {
                ToolSchemaTitles.Add(raw, clrType);
            }
            var normalized = resolved is Dictionary<string, object?> d ? Normalize(d) : new Dictionary<string, object?>(StringComparer.Ordinal);
            // pydantic's schema has neither; DSPy appends the default, then the arg description, at the end.
            // (A fresh dictionary keeps insertion order; re-adding after Remove could reuse a freed slot.)
            var schema = normalized.Where(kv => kv.Key is not ("default" or "description"))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var hasDefault = normalized.TryGetValue("default", out var defaultValue);
            normalized.TryGetValue("description", out var description);
            if (hasDefault) schema["default"] = defaultValue;
            if (argDesc is not null && argDesc.TryGetValue(name, out var given)) schema["description"] = given;
            else if (description is not null) schema["description"] = description;
            result[name] = schema;
        }
        return result;
    }

    /// <summary>Inlines <c>$ref</c> pointers (<c>#/$defs/X</c> or any <c>#/...</c> path); a cycle keeps its <c>$ref</c>.</summary>
    private static object? Resolve(object? node, Dictionary<string, object?> root, int depth)
    {
        switch (node)
        {
            case Dictionary<string, object?> d:
                if (depth < 32 && d.GetValueOrDefault("$ref") is string pointer && Lookup(root, pointer) is { } target)
                {
                    return Resolve(target, root, depth + 1);
                }
                return d.Where(kv => kv.Key != "$defs" && kv.Key != "definitions")
                    .ToDictionary(kv => kv.Key, kv => Resolve(kv.Value, root, depth + 1), StringComparer.Ordinal);
            case List<object?> l:
                return l.Select(x => Resolve(x, root, depth + 1)).ToList();
            default:
                return node;
        }
    }

    private static object? Lookup(Dictionary<string, object?> root, string pointer)
    {
        if (!pointer.StartsWith("#/", StringComparison.Ordinal)) return null;
        object? current = root;
        foreach (var raw in pointer[2..].Split('/'))
        {
            var part = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current switch
            {
                Dictionary<string, object?> d when d.TryGetValue(part, out var next) => next,
                List<object?> l when int.TryParse(part, out var i) && i >= 0 && i < l.Count => l[i],
                _ => null,
            };
            if (current is null) return null;
        }
        return current;
    }

    /// <summary>Sorts keys as pydantic does (not inside <c>properties</c>) and rewrites <c>"type": [T, "null"]</c> as <c>anyOf</c>.</summary>
    private static Dictionary<string, object?> Normalize(Dictionary<string, object?> schema)
    {
        var d = schema;
        if (d.GetValueOrDefault("type") is List<object?> types && types.Contains("null") && types.Count == 2)
        {
            var nonNull = types.First(t => !Equals(t, "null"));
            var inner = new Dictionary<string, object?>(StringComparer.Ordinal);
            var outer = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (k, v) in d)
            {
                if (k is "default" or "description" or "title") outer[k] = v;
                else if (k != "type") inner[k] = v;
            }
            inner["type"] = nonNull;
            outer["anyOf"] = new List<object?> { inner, new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = "null" } };
            d = outer;
        }
        var sorted = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in d.Keys.Order(StringComparer.Ordinal))
        {
            sorted[key] = NormalizeValue(d[key], key);
        }
        return sorted;
    }

    private static object? NormalizeValue(object? value, string parentKey) => value switch
    {
        Dictionary<string, object?> props when parentKey == "properties" =>
            props.ToDictionary(kv => kv.Key, kv => kv.Value is Dictionary<string, object?> p ? Normalize(p) : kv.Value, StringComparer.Ordinal),
        Dictionary<string, object?> d when parentKey != "default" && parentKey != "enum" && parentKey != "const" => Normalize(d),
        List<object?> l when parentKey != "default" && parentKey != "enum" && parentKey != "const" && parentKey != "required" =>
            l.Select(x => x is Dictionary<string, object?> d ? Normalize(d) : x).ToList(),
        _ => value,
    };
}
