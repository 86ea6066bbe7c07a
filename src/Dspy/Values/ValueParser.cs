using System.Collections;
using System.Globalization;
using System.Numerics;

namespace Dspy;

/// <summary>
/// DSPy's <c>parse_value</c> and the pydantic lax-mode validation behind it: turns an LM's text (or a JSON value)
/// into a value of the annotated type. Results are in the value model (string, long, double, bool, null, lists,
/// dictionaries) or typed CLR objects (enums, records, <see cref="Image"/>, <see cref="ToolCalls"/> ...).
/// </summary>
public static class ValueParser
{
    /// <summary>
    /// DSPy's <c>parse_value(value, annotation)</c>: str fields take the text as is; enums match by value then name;
    /// Literals accept an exact match or a quoted/wrapped one; <c>Optional[str]</c>-like unions keep raw text;
    /// everything else goes through lenient JSON, then Python literal syntax, then lax validation.
    /// </summary>
    /// <exception cref="ValueValidationException">The value does not fit the annotation.</exception>
    public static object? ParseValue(object? value, TypeSpec type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Kind is TypeKind.Str or TypeKind.Reasoning) return PydanticText.Str(value);
        if (type.Kind == TypeKind.Enum) return FindEnumMember(type.ClrType!, value);
        if (type.Kind == TypeKind.Literal)
        {
            if (type.LiteralValues.Any(a => PyEquals(a, value))) return value;
            if (value is string s)
            {
                var v = PythonText.Strip(s);
                if ((v.StartsWith("Literal[", StringComparison.Ordinal) || v.StartsWith("str[", StringComparison.Ordinal)) && v.EndsWith(']'))
                {
                    v = v[(v.IndexOf('[', StringComparison.Ordinal) + 1)..^1];
                }
                if (v.Length > 1 && v[0] == v[^1] && v[0] is '"' or '\'') v = v[1..^1];
                if (type.LiteralValues.Any(a => PyEquals(a, v))) return v;
            }
            throw new ValueValidationException($"{PythonRepr.Repr(value)} is not one of {ReprTuple(type.LiteralValues)}");
        }
        if (value is not string text) return Validate(value, type);
        if (type.Kind == TypeKind.Union && type.Args.Any(a => a.Kind == TypeKind.NoneType) && type.Args.Any(a => a.Kind == TypeKind.Str))
        {
            return Validate(text, type);
        }
        var candidate = JsonRepair.Loads(text);
        if (candidate is "" && text.Length > 0)
        {
            candidate = PythonLiteral.TryEval(text, out var literal) ? literal : text;
        }
        try
        {
            return Validate(candidate, type);
        }
        catch (ValueValidationException) when (IsDspyType(type))
        {
            // A DSPy custom type may parse its raw text itself (Code strips fences, for example).
            return Validate(text, type);
        }
    }

    private static bool IsDspyType(TypeSpec t) => t.Kind is TypeKind.Image or TypeKind.ToolCalls or TypeKind.Code or TypeKind.History;

    /// <summary>DSPy's <c>find_enum_member</c>: the member whose value equals the identifier, else the member with that name.</summary>
    public static object FindEnumMember(Type enumType, object? identifier)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        foreach (Enum member in Enum.GetValues(enumType))
        {
            if (identifier is Enum e && e.Equals(member)) return member;
            if (identifier is string s && ValueModel.EnumValue(member) == s) return member;
        }
        if (identifier is string name && Enum.GetNames(enumType).Contains(name, StringComparer.Ordinal)) return Enum.Parse(enumType, name);
        throw new ValueValidationException($"{PythonRepr.Str(identifier)} is not a valid name or value for the enum {enumType.Name}");
    }

    private static string ReprTuple(IReadOnlyList<object?> values) =>
        "(" + string.Join(", ", values.Select(PythonRepr.Repr)) + (values.Count == 1 ? ",)" : ")");

    /// <summary>Python's <c>==</c> between value-model scalars: numbers and booleans compare numerically, strings ordinally.</summary>
    public static bool PyEquals(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a is string sa) return b is string sb && sa == sb;
        if (b is string) return false;
        if (IsNumeric(a) && IsNumeric(b)) return ToDouble(a) == ToDouble(b);
        return ValueEquality.Equal(a, b);
    }

    private static bool IsNumeric(object o) => o is bool or long or int or double or BigInteger;

    private static double ToDouble(object o) => o switch
    {
        bool b => b ? 1 : 0,
        BigInteger big => (double)big,
        _ => Convert.ToDouble(o, CultureInfo.InvariantCulture),
    };

    /// <summary>pydantic's lax-mode validation of a value-model value against an annotation.</summary>
    /// <exception cref="ValueValidationException">The value does not fit.</exception>
    public static object? Validate(object? value, TypeSpec type)
    {
        ArgumentNullException.ThrowIfNull(type);
        value = value is null or string or bool or long or double or IDspyType or History or Enum ? value : NormalizeInput(value);
        switch (type.Kind)
        {
            case TypeKind.Any or TypeKind.Tool:
                return value;
            case TypeKind.NoneType:
                return value is null ? null : throw ValueValidationException.For(type, "Input should be None", "none_required", value);
            case TypeKind.Str or TypeKind.Reasoning:
                return value as string ?? throw ValueValidationException.For(type, "Input should be a valid string", "string_type", value);
            case TypeKind.Int:
                return ToInt(value, type);
            case TypeKind.Float:
                return ToFloat(value, type);
            case TypeKind.Bool:
                return ToBool(value, type);
            case TypeKind.List or TypeKind.Set:
            {
                if (value is not IList list) throw ValueValidationException.For(type, "Input should be a valid list", "list_type", value);
                var item = type.Args.Count > 0 ? type.Args[0] : TypeSpec.AnyType;
                var result = new List<object?>();
                foreach (var x in list)
                {
                    var v = Validate(x, item);
                    if (type.Kind == TypeKind.Set && result.Any(r => ValueEquality.Equal(r, v))) continue;
                    result.Add(v);
                }
                return result;
            }
            case TypeKind.Tuple:
            {
                if (value is not IList list) throw ValueValidationException.For(type, "Input should be a valid tuple", "tuple_type", value);
                if (type.Args.Count == 0) return list.Cast<object?>().ToList();
                if (type.IsVariadicTuple) return list.Cast<object?>().Select(x => Validate(x, type.Args[0])).ToList();
                if (list.Count != type.Args.Count)
                {
                    throw ValueValidationException.For(type, list.Count > type.Args.Count
                        ? $"Tuple should have at most {type.Args.Count} items after validation, not {list.Count}"
                        : "Field required", list.Count > type.Args.Count ? "too_long" : "missing", value);
                }
                return list.Cast<object?>().Select((x, i) => Validate(x, type.Args[i])).ToList();
            }
            case TypeKind.Dict:
            {
                if (value is not IDictionary<string, object?> dict) throw ValueValidationException.For(type, "Input should be a valid dictionary", "dict_type", value);
                var keyType = type.Args.Count == 2 ? type.Args[0] : TypeSpec.AnyType;
                var valueType = type.Args.Count == 2 ? type.Args[1] : TypeSpec.AnyType;
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in dict)
                {
                    var key = keyType.Kind is TypeKind.Str or TypeKind.Any ? k : PythonRepr.Str(Validate(k, keyType));
                    result[key] = Validate(v, valueType);
                }
                return result;
            }
            case TypeKind.Union:
                return ValidateUnion(value, type);
            case TypeKind.Literal:
                foreach (var allowed in type.LiteralValues)
                {
                    if (allowed is null ? value is null : value is not null && allowed.GetType() == value.GetType() && PyEquals(allowed, value)) return allowed;
                }
                throw ValueValidationException.For(type, "Input should be " + OrList(type.LiteralValues.Select(PythonRepr.Repr).ToList()), "literal_error", value);
            case TypeKind.Enum:
            {
                var enumType = type.ClrType!;
                if (value is Enum e && e.GetType() == enumType) return e;
                foreach (Enum member in Enum.GetValues(enumType))
                {
                    if (value is string s && ValueModel.EnumValue(member) == s) return member;
                }
                throw ValueValidationException.For(type, "Input should be " + OrList(Enum.GetValues(enumType).Cast<Enum>().Select(m => PythonRepr.Repr(ValueModel.EnumValue(m))).ToList()), "enum", value);
            }
            case TypeKind.Object:
                return ValidateObject(value, type);
            case TypeKind.Image or TypeKind.ToolCalls or TypeKind.Code or TypeKind.History:
                try
                {
                    return type.Kind == TypeKind.Code ? Code.Validate(value, type.Name ?? "python") : DspyTypes.Validate(ClrOf(type), value);
                }
                catch (ArgumentException ex)
                {
                    throw ValueValidationException.For(type, "Value error, " + ex.Message, "value_error", value);
                }
            case TypeKind.Named:
                return ValidateNamed(value, type);
            default:
                return value;
        }
    }

    private static Type ClrOf(TypeSpec t) => t.Kind switch
    {
        TypeKind.Image => typeof(Image),
        TypeKind.ToolCalls => typeof(ToolCalls),
        TypeKind.History => typeof(History),
        _ => typeof(Code),
    };

    private static object? NormalizeInput(object value) => value switch
    {
        int or short or byte or sbyte or uint or ushort or ulong or float or decimal or char => ValueModel.FromClr(value),
        IDictionary<string, object?> => value,
        IDictionary d => ValueModel.FromClr(d),
        IList => value,
        IEnumerable e when value is not string => e.Cast<object?>().ToList(),
        _ => value,
    };

    private static string OrList(List<string> items) =>
        items.Count <= 1 ? string.Join("", items) : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1];

    private static object ToInt(object? value, TypeSpec type)
    {
        switch (value)
        {
            case bool b: return b ? 1L : 0L;
            case long l: return l;
            case BigInteger big: return big;
            case double d:
                if (double.IsFinite(d) && Math.Floor(d) == d) return d is >= long.MinValue and <= long.MaxValue ? (long)d : (object)new BigInteger(d);
                throw ValueValidationException.For(type, double.IsFinite(d) ? "Input should be a valid integer, got a number with a fractional part" : "Input should be a finite number",
                    double.IsFinite(d) ? "int_from_float" : "finite_number", value);
            case string s:
            {
                var t = PythonText.Strip(s);
                var dot = t.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && t[(dot + 1)..].All(c => c == '0')) t = t[..dot];
                if (JsonRepair.ParseNumberText(t) is { } n and (long or BigInteger)) return n;
                throw ValueValidationException.For(type, "Input should be a valid integer, unable to parse string as an integer", "int_parsing", value);
            }
            default:
                throw ValueValidationException.For(type, "Input should be a valid integer", "int_type", value);
        }
    }

    private static double ToFloat(object? value, TypeSpec type)
    {
        switch (value)
        {
            case bool b: return b ? 1.0 : 0.0;
            case long l: return l;
            case BigInteger big: return (double)big;
            case double d: return d;
            case string s:
            {
                var t = PythonText.Strip(s).ToLowerInvariant();
                switch (t)
                {
                    case "inf" or "+inf" or "infinity" or "+infinity": return double.PositiveInfinity;
                    case "-inf" or "-infinity": return double.NegativeInfinity;
                    case "nan" or "+nan" or "-nan": return double.NaN;
                }
                if (JsonRepair.ParseNumberText(t) is { } n) return n is double d ? d : n is long l ? l : (double)(BigInteger)n;
                throw ValueValidationException.For(type, "Input should be a valid number, unable to parse string as a number", "float_parsing", value);
            }
            default:
                throw ValueValidationException.For(type, "Input should be a valid number", "float_type", value);
        }
    }

    private static bool ToBool(object? value, TypeSpec type)
    {
        switch (value)
        {
            case bool b: return b;
            case long l when l is 0 or 1: return l == 1;
            case double d when d is 0.0 or 1.0: return d == 1.0;
            case string s:
                // pydantic does not strip whitespace here.
                switch (s.ToLowerInvariant())
                {
                    case "0" or "off" or "f" or "false" or "n" or "no": return false;
                    case "1" or "on" or "t" or "true" or "y" or "yes": return true;
                }
                throw ValueValidationException.For(type, "Input should be a valid boolean, unable to interpret input", "bool_parsing", value);
            case long or double:
                throw ValueValidationException.For(type, "Input should be a valid boolean, unable to interpret input", "bool_parsing", value);
            default:
                throw ValueValidationException.For(type, "Input should be a valid boolean", "bool_type", value);
        }
    }

    private static object? ValidateUnion(object? value, TypeSpec type)
    {
        // pydantic's smart mode: an exact type match wins, otherwise the first member that validates in lax mode.
        foreach (var member in type.Args)
        {
            if (IsExactMatch(value, member)) return Validate(value, member);
        }
        var errors = new List<string>();
        foreach (var member in type.Args)
        {
            try
            {
                return Validate(value, member);
            }
            catch (ValueValidationException ex)
            {
                errors.Add(ex.Message);
            }
        }
        throw new ValueValidationException($"{errors.Count} validation errors for {type.PythonName}\n" + string.Join("\n", errors.Select(e => e[(e.IndexOf('\n', StringComparison.Ordinal) + 1)..])));
    }

    private static bool IsExactMatch(object? value, TypeSpec t) => t.Kind switch
    {
        TypeKind.NoneType => value is null,
        TypeKind.Str => value is string,
        TypeKind.Int => value is long or BigInteger,
        TypeKind.Float => value is double,
        TypeKind.Bool => value is bool,
        TypeKind.List or TypeKind.Set or TypeKind.Tuple => value is IList,
        TypeKind.Dict => value is IDictionary<string, object?>,
        TypeKind.Object or TypeKind.Enum => value is not null && t.ClrType!.IsInstanceOfType(value),
        TypeKind.Image => value is Image,
        TypeKind.ToolCalls => value is ToolCalls,
        TypeKind.Code => value is Code,
        TypeKind.History => value is History,
        TypeKind.Literal => t.LiteralValues.Any(a => a is null ? value is null : value is not null && a.GetType() == value.GetType() && PyEquals(a, value)),
        _ => false,
    };

    private static object? ValidateObject(object? value, TypeSpec type)
    {
        var clr = type.ClrType!;
        if (value is not null && clr.IsInstanceOfType(value)) return value;
        if (value is not IDictionary<string, object?> dict)
        {
            throw ValueValidationException.For(type, $"Input should be a valid dictionary or instance of {type.Name}", "model_type", value);
        }
        var validated = new Dictionary<string, object?>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var field in ModelField.Of(clr))
        {
            if (dict.TryGetValue(field.Name, out var v))
            {
                try
                {
                    validated[field.Name] = ValueModel.FromClr(Validate(v, field.Type));
                }
                catch (ValueValidationException ex)
                {
                    errors.Add(field.Name + "\n  " + ex.Message[(ex.Message.IndexOf('\n', StringComparison.Ordinal) + 3)..]);
                }
            }
            else if (field.Required)
            {
                errors.Add($"{field.Name}\n  Field required [type=missing, input_value={PythonRepr.Repr(value)}, input_type=dict]\n"
                    + $"    For further information visit https://errors.pydantic.dev/{ValueValidationException.PydanticVersion}/v/missing");
            }
        }
        if (errors.Count > 0)
        {
            throw new ValueValidationException($"{errors.Count} validation error{(errors.Count > 1 ? "s" : "")} for {type.Name}\n" + string.Join("\n", errors));
        }
        try
        {
            return ValueConversion.To(validated, clr);
        }
        catch (InvalidCastException ex)
        {
            throw new ValueValidationException($"1 validation error for {type.Name}\n  {ex.Message}", ex);
        }
    }

    private static object? ValidateNamed(object? value, TypeSpec type)
    {
        // typing's abstract collections validate as pydantic validates them: a sequence like a list, a mapping like a dict.
        if (type.Name is "Sequence" or "Iterable") return Validate(value, TypeSpec.Generic(TypeKind.List, type.Args));
        if (type.Name == "Mapping") return Validate(value, TypeSpec.Generic(TypeKind.Dict, type.Args));
        if (type.ClrType is not { } clr || value is null || clr.IsInstanceOfType(value)) return value;
        try
        {
            return ValueConversion.To(value, clr);
        }
        catch (InvalidCastException ex)
        {
            throw ValueValidationException.For(type, ex.Message, "value_error", value);
        }
    }
}
