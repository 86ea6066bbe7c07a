using System.Globalization;
using System.Text.Json;

namespace Dspy;

/// <summary>Turns texts read from demos and rules into typed values for an output field, and back into text.</summary>
internal static class SimValues
{
    /// <summary>Converts <paramref name="text"/> to the field's shape; <see langword="null"/> if it does not fit.</summary>
    public static object? FromText(SimField field, string text)
    {
        var t = text.Trim();
        switch (field.Kind)
        {
            case SimValueKind.Int:
                return SimText.TryParseNumber(t, out var i) ? (long)Math.Round(i) : null;
            case SimValueKind.Float:
                return SimText.TryParseNumber(t, out var f) ? f : null;
            case SimValueKind.Bool:
                return t.ToLowerInvariant() switch
                {
                    "true" or "yes" => true,
                    "false" or "no" => false,
                    _ => null,
                };
            case SimValueKind.Choice:
                return MatchChoice(field, t);
            case SimValueKind.List:
            case SimValueKind.Object:
                return ParseStructured(t, field.Kind);
            default:
                return t;
        }
    }

    /// <summary>The choice equal to <paramref name="text"/> ignoring case, quotes, spaces and underscores.</summary>
    public static string? MatchChoice(SimField field, string text)
    {
        if (field.Choices.Count == 0) return text;
        var key = Key(text);
        return field.Choices.FirstOrDefault(c => c == text) ?? field.Choices.FirstOrDefault(c => Key(c) == key);
    }

    private static string Key(string s) => new(s.Trim().Trim('\'', '"', '`').ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());

    private static object? ParseStructured(string text, SimValueKind kind)
    {
        foreach (var candidate in new[] { text, text.Replace('\'', '"') })
        {
            try
            {
                var v = ValueModel.ParseJson(candidate);
                if (kind == SimValueKind.List && v is List<object?>) return v;
                if (kind == SimValueKind.Object && v is Dictionary<string, object?>) return v;
            }
            catch (JsonException)
            {
                // Try the next reading.
            }
        }
        return null;
    }

    /// <summary>A number shaped for the field: a long for int (and integral str), a double for float.</summary>
    public static object Number(SimField field, double value) => field.Kind switch
    {
        SimValueKind.Int => (long)Math.Round(value),
        SimValueKind.Float => value,
        _ => SimText.FormatNumber(value),
    };

    /// <summary>The value as ChatAdapter/XML text: Python's str() for scalars, JSON for lists and dicts.</summary>
    public static string ToPromptText(object? value) => value switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PythonFloat.Repr(d),
        _ => PythonJson.Dumps(value),
    };

    /// <summary>A zero value of the field's shape, built from its JSON schema when there is one.</summary>
    public static object? Empty(SimField field) => field.Kind switch
    {
        SimValueKind.Int => 0L,
        SimValueKind.Float => 0.0,
        SimValueKind.Bool => false,
        SimValueKind.Choice => field.Choices.Count > 0 ? field.Choices[0] : "",
        SimValueKind.List => new List<object?>(),
        SimValueKind.Object => field.JsonSchema is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : FromSchema(field.JsonSchema),
        _ => "",
    };

    private static object? FromSchema(string schema)
    {
        try
        {
            using var doc = JsonDocument.Parse(schema);
            return FromSchema(doc.RootElement, doc.RootElement, 0);
        }
        catch (JsonException)
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }
    }

    private static object? FromSchema(JsonElement root, JsonElement s, int depth)
    {
        if (depth > 6) return null;
        if (s.TryGetProperty("$ref", out var r) && r.GetString() is { } refPath && refPath.StartsWith("#/$defs/", StringComparison.Ordinal)
            && root.TryGetProperty("$defs", out var defs) && defs.TryGetProperty(refPath["#/$defs/".Length..], out var target))
        {
            return FromSchema(root, target, depth + 1);
        }
        if (s.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0) return ValueModel.FromJson(e[0]);
        var type = s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "object":
                var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                if (s.TryGetProperty("properties", out var props))
                {
                    foreach (var p in props.EnumerateObject()) d[p.Name] = FromSchema(root, p.Value, depth + 1);
                }
                return d;
            case "array": return new List<object?>();
            case "integer": return 0L;
            case "number": return 0.0;
            case "boolean": return false;
            case "null": return null;
            default: return type is null && s.TryGetProperty("anyOf", out var any) && any.GetArrayLength() > 0 ? FromSchema(root, any[0], depth + 1) : "";
        }
    }
}
