using System.Collections;
using System.Reflection;

namespace Dspy;

/// <summary>Maps CLR types to the <see cref="TypeSpec"/> annotations DSPy would use for them (pydantic's view of a field type).</summary>
public static class ClrTypeSpecs
{
    private static readonly NullabilityInfoContext s_nullability = new();

    /// <summary>The annotation for a CLR type: <c>string</c> is str, <c>long</c> int, <c>List&lt;T&gt;</c> list[T], a record an object type.</summary>
    public static TypeSpec FromClr(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (Nullable.GetUnderlyingType(type) is { } inner) return TypeSpec.Optional(FromClr(inner));
        if (type == typeof(string) || type == typeof(char)) return TypeSpec.Str;
        if (type == typeof(bool)) return TypeSpec.Bool;
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte)
            || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(System.Numerics.BigInteger))
        {
            return TypeSpec.Int;
        }
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return TypeSpec.Float;
        if (type == typeof(object) || type == typeof(System.Text.Json.JsonElement) || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(type)) return TypeSpec.AnyType;
        if (type.IsEnum) return TypeSpec.EnumOf(type);
        if (type == typeof(Image)) return TypeSpec.ImageType;
        if (type == typeof(History)) return TypeSpec.HistoryType;
        if (type == typeof(ToolCalls)) return TypeSpec.ToolCallsType;
        if (type == typeof(Code)) return TypeSpec.CodeOf();
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return TypeSpec.Named("datetime", type);
        if (type == typeof(DateOnly)) return TypeSpec.Named("date", type);
        if (type == typeof(TimeOnly)) return TypeSpec.Named("time", type);
        if (type == typeof(TimeSpan)) return TypeSpec.Named("timedelta", type);
        if (type == typeof(Guid)) return TypeSpec.Named("UUID", type);
        if (type == typeof(byte[])) return TypeSpec.Named("bytes", type);
        if (type == typeof(Uri)) return TypeSpec.Named("AnyUrl", type);
        if (type.IsArray) return TypeSpec.ListOf(FromClr(type.GetElementType()!));
        if (typeof(System.Runtime.CompilerServices.ITuple).IsAssignableFrom(type) && type.IsGenericType)
        {
            return TypeSpec.TupleOf(type.GetGenericArguments().Select(FromClr).ToArray());
        }
        if (FindGeneric(type, typeof(IDictionary<,>)) is { } dict) return TypeSpec.DictOf(FromClr(dict[0]), FromClr(dict[1]));
        if (FindGeneric(type, typeof(IReadOnlyDictionary<,>)) is { } rdict) return TypeSpec.DictOf(FromClr(rdict[0]), FromClr(rdict[1]));
        if (typeof(IDictionary).IsAssignableFrom(type)) return TypeSpec.BareDict;
        if (FindGeneric(type, typeof(ISet<>)) is { } set) return TypeSpec.SetOf(FromClr(set[0]));
        if (FindGeneric(type, typeof(IReadOnlySet<>)) is { } rset) return TypeSpec.SetOf(FromClr(rset[0]));
        if (FindGeneric(type, typeof(IEnumerable<>)) is { } seq) return TypeSpec.ListOf(FromClr(seq[0]));
        if (typeof(IEnumerable).IsAssignableFrom(type)) return TypeSpec.BareList;
        return TypeSpec.ObjectOf(type);
    }

    /// <summary>The annotation of a property, with <c>Optional[...]</c> for nullable reference types.</summary>
    public static TypeSpec FromProperty(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        var spec = FromClr(property.PropertyType);
        if (!property.PropertyType.IsValueType && s_nullability.Create(property).ReadState == NullabilityState.Nullable)
        {
            spec = TypeSpec.Optional(spec);
        }
        return spec;
    }

    private static Type[]? FindGeneric(Type type, Type definition)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == definition) return type.GetGenericArguments();
        foreach (var i in type.GetInterfaces())
        {
            if (i.IsGenericType && i.GetGenericTypeDefinition() == definition) return i.GetGenericArguments();
        }
        return null;
    }
}
