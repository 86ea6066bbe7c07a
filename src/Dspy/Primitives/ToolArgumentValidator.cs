using System.Globalization;

namespace Dspy;

/// <summary>
/// A small JSON-schema validator for tool arguments in the value model (type, enum, const, anyOf, items,
/// properties, required, additionalProperties, numeric bounds, lengths). Messages follow Python jsonschema's wording,
/// which DSPy passes on as <c>Arg x is invalid: &lt;message&gt;</c>.
/// </summary>
internal static class ToolArgumentValidator
{
    /// <summary>The first validation error, or null when the value is valid.</summary>
    public static string? Validate(object? value, Dictionary<string, object?> schema)
    {
        if (schema.TryGetValue("type", out var type) && type is not null && !Equals(type, "Any"))
        {
            var allowed = type is List<object?> list ? list.Select(t => t as string ?? "").ToList() : [type as string ?? ""];
            if (!allowed.Any(t => IsOfType(value, t)))
            {
                return $"{PythonRepr.Repr(value)} is not of type {string.Join(", ", allowed.Select(PythonRepr.ReprString))}";
            }
        }
        if (schema.TryGetValue("enum", out var e) && e is List<object?> options && !options.Any(o => ValueEquality.Equal(o, value)))
        {
            return $"{PythonRepr.Repr(value)} is not one of {PythonRepr.Repr(options)}";
        }
        if (schema.TryGetValue("const", out var c) && !ValueEquality.Equal(c, value))
        {
            return $"{PythonRepr.Repr(c)} was expected";
        }
        if (schema.TryGetValue("anyOf", out var any) && any is List<object?> branches
            && !branches.OfType<Dictionary<string, object?>>().Any(b => Validate(value, b) is null))
        {
            return $"{PythonRepr.Repr(value)} is not valid under any of the given schemas";
        }
        return value switch
        {
            List<object?> items => ValidateArray(items, schema),
            Dictionary<string, object?> obj => ValidateObject(obj, schema),
            string s => ValidateString(s, schema),
            long or double => ValidateNumber(value, schema),
            _ => null,
        };
    }

    private static bool IsOfType(object? value, string type) => type switch
    {
        "string" => value is string,
        // jsonschema (draft 6+) counts 1.0 as an integer; booleans are never numbers.
        "integer" => value is long or System.Numerics.BigInteger || (value is double d && double.IsFinite(d) && Math.Floor(d) == d),
        "number" => value is long or double or System.Numerics.BigInteger,
        "boolean" => value is bool,
        "array" => value is List<object?>,
        "object" => value is Dictionary<string, object?>,
        "null" => value is null,
        _ => true,
    };

    private static string? ValidateArray(List<object?> items, Dictionary<string, object?> schema)
    {
        if (schema.GetValueOrDefault("minItems") is long min && items.Count < min) return $"{PythonRepr.Repr(items)} is too short";
        if (schema.GetValueOrDefault("maxItems") is long max && items.Count > max) return $"{PythonRepr.Repr(items)} is too long";
        if (schema.GetValueOrDefault("items") is Dictionary<string, object?> itemSchema)
        {
            foreach (var item in items)
            {
                var error = Validate(item, itemSchema);
                if (error is not null) return error;
            }
        }
        return null;
    }

    private static string? ValidateObject(Dictionary<string, object?> obj, Dictionary<string, object?> schema)
    {
        var properties = schema.GetValueOrDefault("properties") as Dictionary<string, object?>;
        if (schema.GetValueOrDefault("required") is List<object?> required)
        {
            foreach (var r in required.OfType<string>())
            {
                if (!obj.ContainsKey(r)) return $"{PythonRepr.ReprString(r)} is a required property";
            }
        }
        if (properties is not null)
        {
            foreach (var (k, v) in obj)
            {
                if (properties.GetValueOrDefault(k) is Dictionary<string, object?> ps)
                {
                    var error = Validate(v, ps);
                    if (error is not null) return error;
                }
            }
        }
        if (Equals(schema.GetValueOrDefault("additionalProperties"), false))
        {
            var extra = obj.Keys.Where(k => properties is null || !properties.ContainsKey(k)).ToList();
            if (extra.Count > 0)
            {
                var names = string.Join(", ", extra.Select(PythonRepr.ReprString));
                return $"Additional properties are not allowed ({names} {(extra.Count == 1 ? "was" : "were")} unexpected)";
            }
        }
        else if (schema.GetValueOrDefault("additionalProperties") is Dictionary<string, object?> additional)
        {
            foreach (var (k, v) in obj)
            {
                if (properties is not null && properties.ContainsKey(k)) continue;
                var error = Validate(v, additional);
                if (error is not null) return error;
            }
        }
        return null;
    }

    private static string? ValidateString(string s, Dictionary<string, object?> schema)
    {
        var length = s.EnumerateRunes().Count();
        if (schema.GetValueOrDefault("minLength") is long min && length < min) return $"{PythonRepr.Repr(s)} is too short";
        if (schema.GetValueOrDefault("maxLength") is long max && length > max) return $"{PythonRepr.Repr(s)} is too long";
        return null;
    }

    private static string? ValidateNumber(object value, Dictionary<string, object?> schema)
    {
        var x = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (Bound(schema, "minimum") is { } min && x < min.Number) return $"{PythonRepr.Repr(value)} is less than the minimum of {PythonRepr.Repr(min.Raw)}";
        if (Bound(schema, "maximum") is { } max && x > max.Number) return $"{PythonRepr.Repr(value)} is greater than the maximum of {PythonRepr.Repr(max.Raw)}";
        if (Bound(schema, "exclusiveMinimum") is { } emin && x <= emin.Number)
        {
            return $"{PythonRepr.Repr(value)} is less than or equal to the minimum of {PythonRepr.Repr(emin.Raw)}";
        }
        if (Bound(schema, "exclusiveMaximum") is { } emax && x >= emax.Number)
        {
            return $"{PythonRepr.Repr(value)} is greater than or equal to the maximum of {PythonRepr.Repr(emax.Raw)}";
        }
        return null;
    }

    private static (double Number, object Raw)? Bound(Dictionary<string, object?> schema, string key) =>
        schema.GetValueOrDefault(key) is { } v and (long or double) ? (Convert.ToDouble(v, CultureInfo.InvariantCulture), v) : null;
}
