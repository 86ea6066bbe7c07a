using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Dspy;

/// <summary>
/// JSON schemas shaped like pydantic v2's <c>TypeAdapter(T).json_schema()</c>: titles on models and fields,
/// <c>$defs</c>/<c>$ref</c> for nested models and enums, <c>anyOf</c> with <c>{"type": "null"}</c> for Optional,
/// <c>items</c>, <c>prefixItems</c>, <c>additionalProperties</c>, <c>required</c> in declaration order and <c>default</c>.
/// Keys come out in pydantic's order (sorted, except property names and defaults); <see cref="SortForPrompt"/>
/// applies DSPy's prompt ordering. Schemas are value-model dictionaries, ready for <see cref="PythonJson.Dumps"/>.
/// </summary>
public static class PydanticJsonSchema
{
    /// <summary>The schema of an annotation, as pydantic generates it.</summary>
    public static Dictionary<string, object?> Generate(TypeSpec type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var ctx = new Context();
        Dictionary<string, object?> schema;
        if (IsModel(type))
        {
            var name = ModelName(type);
            ctx.InProgress.Add(name);
            schema = ModelSchema(type, ctx);
            ctx.InProgress.Remove(name);
            if (ctx.Recursive.Contains(name))
            {
                ctx.Defs[name] = schema;
                schema = new Dictionary<string, object?> { ["$ref"] = "#/$defs/" + name };
            }
        }
        else
        {
            schema = Inline(type, ctx);
        }
        if (ctx.Defs.Count > 0)
        {
            schema["$defs"] = ctx.Defs.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);
        }
        return (Dictionary<string, object?>)PydanticSort(schema, null)!;
    }

    /// <summary>The schema of a CLR type (a record or class gives its model schema).</summary>
    public static Dictionary<string, object?> Generate(Type type) => Generate(TypeSpecs.FromClrType(type));

    /// <summary>
    /// The schema of a model built from named fields (pydantic's <c>create_model</c>), e.g. DSPy's <c>DSPyProgramOutputs</c>.
    /// <paramref name="forbidExtra"/> adds <c>additionalProperties: false</c>.
    /// </summary>
    public static Dictionary<string, object?> GenerateModel(string title, IEnumerable<ModelField> fields, bool forbidExtra)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var ctx = new Context();
        var schema = ModelSchemaFromFields(title, null, fields.ToList(), forbidExtra, ctx);
        if (ctx.Defs.Count > 0)
        {
            schema["$defs"] = ctx.Defs.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);
        }
        return (Dictionary<string, object?>)PydanticSort(schema, null)!;
    }

    /// <summary>
    /// DSPy's prompt ordering of a schema: every dictionary's keys sorted recursively with <c>"type"</c> first and
    /// the rest in ordinal order (property names included); lists keep their order.
    /// </summary>
    public static object? SortForPrompt(object? schema) => schema switch
    {
        IDictionary<string, object?> d => d.OrderBy(kv => kv.Key == "type" ? 0 : 1).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => SortForPrompt(kv.Value), StringComparer.Ordinal),
        IList<object?> l => l.Select(SortForPrompt).ToList(),
        _ => schema,
    };

    private sealed class Context
    {
        public Dictionary<string, Dictionary<string, object?>> Defs { get; } = new(StringComparer.Ordinal);
        public HashSet<string> InProgress { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Recursive { get; } = new(StringComparer.Ordinal);
    }

    private static bool IsModel(TypeSpec t) => t.Kind is TypeKind.Object or TypeKind.History or TypeKind.Image or TypeKind.ToolCalls or TypeKind.Code;

    private static string ModelName(TypeSpec t) => t.Kind switch
    {
        TypeKind.History => "History",
        TypeKind.Image => "Image",
        TypeKind.ToolCalls => "ToolCalls",
        TypeKind.Code => "Code",
        _ => t.Name ?? t.ClrType?.Name ?? "Model",
    };

    // pydantic sorts keys alphabetically except under "properties" (declaration order) and inside defaults.
    private static object? PydanticSort(object? value, string? parentKey)
    {
        switch (value)
        {
            case IDictionary<string, object?> d:
                IEnumerable<KeyValuePair<string, object?>> items = parentKey is "properties" or "default" ? d : d.OrderBy(kv => kv.Key, StringComparer.Ordinal);
                return items.ToDictionary(kv => kv.Key, kv => parentKey == "default" ? kv.Value : PydanticSort(kv.Value, kv.Key), StringComparer.Ordinal);
            case IList<object?> l when parentKey != "default":
                return l.Select(x => PydanticSort(x, parentKey)).ToList();
            default:
                return value;
        }
    }

    private static Dictionary<string, object?> Ref(TypeSpec t, Context ctx)
    {
        var name = ModelName(t);
        if (ctx.InProgress.Contains(name))
        {
            ctx.Recursive.Add(name);
        }
        else if (!ctx.Defs.ContainsKey(name))
        {
            ctx.InProgress.Add(name);
            ctx.Defs[name] = t.Kind == TypeKind.Enum ? EnumSchema(t) : ModelSchema(t, ctx);
            ctx.InProgress.Remove(name);
        }
        return new Dictionary<string, object?> { ["$ref"] = "#/$defs/" + name };
    }

    private static Dictionary<string, object?> Inline(TypeSpec t, Context ctx)
    {
        switch (t.Kind)
        {
            case TypeKind.Str or TypeKind.Reasoning: return Type("string");
            case TypeKind.Int: return Type("integer");
            case TypeKind.Float: return Type("number");
            case TypeKind.Bool: return Type("boolean");
            case TypeKind.NoneType: return Type("null");
            case TypeKind.Any or TypeKind.Tool: return [];
            case TypeKind.Enum: return EnumSchema(t);
            case TypeKind.List:
                return new Dictionary<string, object?> { ["items"] = t.Args.Count > 0 ? Nested(t.Args[0], ctx) : [], ["type"] = "array" };
            case TypeKind.Set:
                return new Dictionary<string, object?> { ["items"] = t.Args.Count > 0 ? Nested(t.Args[0], ctx) : [], ["type"] = "array", ["uniqueItems"] = true };
            case TypeKind.Tuple:
                if (t.IsSubscripted && t.Args.Count == 0) return new Dictionary<string, object?> { ["maxItems"] = 0L, ["minItems"] = 0L, ["type"] = "array" };
                if (t.Args.Count == 0) return new Dictionary<string, object?> { ["items"] = new Dictionary<string, object?>(), ["type"] = "array" };
                if (t.IsVariadicTuple) return new Dictionary<string, object?> { ["items"] = Nested(t.Args[0], ctx), ["type"] = "array" };
                return new Dictionary<string, object?>
                {
                    ["maxItems"] = (long)t.Args.Count,
                    ["minItems"] = (long)t.Args.Count,
                    ["prefixItems"] = t.Args.Select(a => (object?)Nested(a, ctx)).ToList(),
                    ["type"] = "array",
                };
            case TypeKind.Dict:
            {
                var schema = Type("object");
                var values = t.Args.Count == 2 ? Nested(t.Args[1], ctx) : [];
                values.Remove("title");
                schema["additionalProperties"] = values.Count == 0 ? true : values;
                return schema;
            }
            case TypeKind.Union:
                // pydantic makes a union with None a nullable schema of the other members, so null always comes last.
                return new Dictionary<string, object?>
                {
                    ["anyOf"] = t.Args.Where(a => a.Kind != TypeKind.NoneType)
                        .Concat(t.Args.Where(a => a.Kind == TypeKind.NoneType).Take(1))
                        .Select(a => (object?)Nested(a, ctx)).ToList(),
                };
            case TypeKind.Literal:
                return LiteralSchema(t);
            case TypeKind.Named when t.IsForwardRef:
                throw new InvalidOperationException($"The type '{t.PythonName}' is a forward reference that is not defined, so it has no JSON schema.");
            case TypeKind.Named:
                return NamedSchema(t, ctx);
            default:
                return IsModel(t) ? ModelSchema(t, ctx) : [];
        }
    }

    private static Dictionary<string, object?> Nested(TypeSpec t, Context ctx) => IsModel(t) || t.Kind == TypeKind.Enum ? Ref(t, ctx) : Inline(t, ctx);

    private static Dictionary<string, object?> Type(string type) => new() { ["type"] = type };

    private static Dictionary<string, object?> NamedSchema(TypeSpec t, Context ctx) => t.Name switch
    {
        "datetime" => new() { ["format"] = "date-time", ["type"] = "string" },
        "date" => new() { ["format"] = "date", ["type"] = "string" },
        "time" => new() { ["format"] = "time", ["type"] = "string" },
        "timedelta" => new() { ["format"] = "duration", ["type"] = "string" },
        "UUID" => new() { ["format"] = "uuid", ["type"] = "string" },
        "bytes" => new() { ["format"] = "binary", ["type"] = "string" },
        "AnyUrl" => new() { ["format"] = "uri", ["minLength"] = 1L, ["type"] = "string" },
        "complex" => Type("string"),
        "frozenset" => new() { ["items"] = t.Args.Count > 0 ? Nested(t.Args[0], ctx) : new Dictionary<string, object?>(), ["type"] = "array", ["uniqueItems"] = true },
        "Sequence" or "Iterable" => new() { ["items"] = t.Args.Count > 0 ? Nested(t.Args[0], ctx) : new Dictionary<string, object?>(), ["type"] = "array" },
        "Mapping" => MappingSchema(t, ctx),
        _ => t.ClrType is { } clr && clr != typeof(object) ? GenerateClrInline(clr) : [],
    };

    private static Dictionary<string, object?> MappingSchema(TypeSpec t, Context ctx)
    {
        var schema = Type("object");
        var values = t.Args.Count == 2 ? Nested(t.Args[1], ctx) : [];
        schema["additionalProperties"] = values.Count == 0 ? true : values;
        return schema;
    }

    private static Dictionary<string, object?> GenerateClrInline(Type clr) => Generate(TypeSpecs.FromClrType(clr));

    private static Dictionary<string, object?> LiteralSchema(TypeSpec t)
    {
        var values = t.LiteralValues;
        var schema = new Dictionary<string, object?>();
        if (values.Count == 1) schema["const"] = values[0];
        else schema["enum"] = values.ToList();
        var kinds = values.Select(v => v switch { string => "string", bool => "boolean", long => "integer", double => "number", null => "null", _ => "?" }).Distinct().ToList();
        if (kinds.Count == 1 && kinds[0] != "?") schema["type"] = kinds[0];
        return schema;
    }

    private static Dictionary<string, object?> EnumSchema(TypeSpec t)
    {
        var type = t.ClrType!;
        var values = Enum.GetValues(type).Cast<Enum>().Select(e => (object?)ValueModel.EnumValue(e)).ToList();
        var schema = new Dictionary<string, object?> { ["enum"] = values, ["title"] = t.Name ?? type.Name, ["type"] = "string" };
        if (type.GetCustomAttribute<DescriptionAttribute>() is { } d) schema["description"] = d.Description;
        return schema;
    }

    private static Dictionary<string, object?> ModelSchema(TypeSpec t, Context ctx)
    {
        switch (t.Kind)
        {
            case TypeKind.History:
                return ModelSchemaFromFields("History", null,
                    [new ModelField("messages", TypeSpec.ListOf(TypeSpec.DictOf(TypeSpec.Str, TypeSpec.AnyType)), true, null, null, [])], true, ctx);
            case TypeKind.Image:
                return ModelSchemaFromFields("Image", null, [new ModelField("url", TypeSpec.Str, true, null, null, [])], true, ctx);
            case TypeKind.Code:
                return ModelSchemaFromFields("Code", null, [new ModelField("code", TypeSpec.Str, true, null, null, [])], false, ctx);
            case TypeKind.ToolCalls:
            {
                // DSPy hides ToolCall.id and ToolCalls.tool_call_results from the schema.
                var callSchema = ModelSchemaFromFields("ToolCall", null,
                [
                    new ModelField("name", TypeSpec.Str, true, null, null, []),
                    new ModelField("args", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.AnyType), true, null, null, []),
                ], false, ctx);
                ctx.Defs["ToolCall"] = callSchema;
                var items = new Dictionary<string, object?> { ["$ref"] = "#/$defs/ToolCall" };
                return new Dictionary<string, object?>
                {
                    ["properties"] = new Dictionary<string, object?>
                    {
                        ["tool_calls"] = new Dictionary<string, object?> { ["items"] = items, ["title"] = "Tool Calls", ["type"] = "array" },
                    },
                    ["required"] = new List<object?> { "tool_calls" },
                    ["title"] = "ToolCalls",
                    ["type"] = "object",
                };
            }
            default:
            {
                var clr = t.ClrType!;
                var description = clr.GetCustomAttribute<DescriptionAttribute>()?.Description;
                return ModelSchemaFromFields(ModelName(t), description, ModelField.Of(clr), false, ctx);
            }
        }
    }

    private static Dictionary<string, object?> ModelSchemaFromFields(string title, string? description, IReadOnlyList<ModelField> fields, bool forbidExtra, Context ctx)
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        var required = new List<object?>();
        foreach (var f in fields)
        {
            properties[f.Name] = FieldSchema(f, ctx);
            if (f.Required) required.Add(f.Name);
        }
        var schema = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (forbidExtra) schema["additionalProperties"] = false;
        if (description is not null) schema["description"] = description;
        schema["properties"] = properties;
        if (required.Count > 0) schema["required"] = required;
        schema["title"] = title;
        schema["type"] = "object";
        return schema;
    }

    private static Dictionary<string, object?> FieldSchema(ModelField f, Context ctx)
    {
        var schema = Nested(f.Type, ctx);
        ApplyConstraints(schema, f.Constraints);
        if (TitleShouldBeSet(f.Type)) schema["title"] = PythonText.Title(f.Name).Replace('_', ' ').Trim();
        if (!f.Required) schema["default"] = f.DefaultValue;
        if (f.Description is not null) schema["description"] = f.Description;
        return schema;
    }

    // pydantic leaves titles off fields whose schema is a reference (models, enums), also through Optional.
    private static bool TitleShouldBeSet(TypeSpec t)
    {
        if (IsModel(t) || t.Kind == TypeKind.Enum) return false;
        if (t.OptionalInner is { } inner) return TitleShouldBeSet(inner);
        return true;
    }

    private static void ApplyConstraints(Dictionary<string, object?> schema, IReadOnlyList<Attribute> constraints)
    {
        if (constraints.Count == 0) return;
        var target = schema;
        if (schema.TryGetValue("anyOf", out var any) && any is List<object?> members)
        {
            target = members.OfType<Dictionary<string, object?>>().FirstOrDefault(m => !(m.TryGetValue("type", out var ty) && ty as string == "null")) ?? schema;
        }
        var isArray = target.TryGetValue("type", out var typ) && typ as string == "array";
        foreach (var c in constraints)
        {
            switch (c)
            {
                case RangeAttribute r:
                    target[r.MinimumIsExclusive ? "exclusiveMinimum" : "minimum"] = Number(r.Minimum);
                    target[r.MaximumIsExclusive ? "exclusiveMaximum" : "maximum"] = Number(r.Maximum);
                    break;
                case MinLengthAttribute m:
                    target[isArray ? "minItems" : "minLength"] = (long)m.Length;
                    break;
                case MaxLengthAttribute m:
                    target[isArray ? "maxItems" : "maxLength"] = (long)m.Length;
                    break;
                case LengthAttribute l:
                    target[isArray ? "minItems" : "minLength"] = (long)l.MinimumLength;
                    target[isArray ? "maxItems" : "maxLength"] = (long)l.MaximumLength;
                    break;
                case StringLengthAttribute s:
                    if (s.MinimumLength > 0) target["minLength"] = (long)s.MinimumLength;
                    target["maxLength"] = (long)s.MaximumLength;
                    break;
                case RegularExpressionAttribute re:
                    target["pattern"] = re.Pattern;
                    break;
            }
        }
    }

    private static object? Number(object? v) => v switch
    {
        int i => (long)i,
        long l => l,
        double d => d,
        string s when long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) => l,
        string s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
        _ => ValueModel.FromClr(v),
    };
}
