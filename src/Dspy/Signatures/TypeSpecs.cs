using System.Numerics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dspy;

/// <summary>
/// Maps CLR types to <see cref="TypeSpec"/>s, the way a Python annotation would describe them: <c>string</c> is
/// <c>str</c>, <c>List&lt;int&gt;</c> is <c>list[int]</c>, <c>int?</c> is <c>Optional[int]</c>, a record is a structured object.
/// </summary>
public static class TypeSpecs
{
    /// <summary>The annotation for a CLR type. Reference types are taken as non-nullable (no annotation information).</summary>
    public static TypeSpec FromClrType(Type type) => FromClrType(type, null);

    /// <summary>The annotation for a property, honouring nullable reference annotations (<c>string?</c> is <c>Optional[str]</c>).</summary>
    public static TypeSpec FromProperty(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return FromClrType(property.PropertyType, new NullabilityInfoContext().Create(property));
    }

    /// <summary>The annotation for a method or constructor parameter, honouring nullable reference annotations.</summary>
    public static TypeSpec FromParameter(ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return FromClrType(parameter.ParameterType, new NullabilityInfoContext().Create(parameter));
    }

    /// <summary>
    /// The annotation for a CLR type; <paramref name="nullability"/> (from <see cref="NullabilityInfoContext"/>)
    /// marks nullable reference types, also inside generic arguments and array elements.
    /// </summary>
    public static TypeSpec FromClrType(Type type, NullabilityInfo? nullability)
    {
        ArgumentNullException.ThrowIfNull(type);
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) return TypeSpec.Optional(FromClrType(underlying, null));

        var core = Core(type, nullability);
        var isNullableReference = !type.IsValueType && nullability?.ReadState == NullabilityState.Nullable;
        return isNullableReference && !core.AllowsNone ? TypeSpec.Optional(core) : core;
    }

    private static TypeSpec Core(Type type, NullabilityInfo? info)
    {
        if (type == typeof(string) || type == typeof(char)) return TypeSpec.Str;
        if (type == typeof(bool)) return TypeSpec.Bool;
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte)
            || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(BigInteger))
        {
            return TypeSpec.Int;
        }
        if (type == typeof(float) || type == typeof(double) || type == typeof(decimal)) return TypeSpec.Float;
        if (type.IsEnum) return TypeSpec.EnumOf(type);
        if (type == typeof(object) || type == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(type)) return TypeSpec.AnyType;
        if (type == typeof(byte[])) return TypeSpec.Named("bytes", type);
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return TypeSpec.Named("datetime", type);
        if (type == typeof(DateOnly)) return TypeSpec.Named("date", type);
        if (type == typeof(TimeOnly)) return TypeSpec.Named("time", type);
        if (type == typeof(TimeSpan)) return TypeSpec.Named("timedelta", type);
        if (type == typeof(Guid)) return TypeSpec.Named("UUID", type);
        if (type == typeof(Uri)) return TypeSpec.Named("AnyUrl", type);
        if (type == typeof(Tool)) return TypeSpec.ToolType;
        if (type == typeof(Image)) return TypeSpec.ImageType;
        if (type == typeof(History)) return TypeSpec.HistoryType;
        if (type == typeof(ToolCalls)) return TypeSpec.ToolCallsType;
        if (type == typeof(Code)) return TypeSpec.CodeOf();

        if (type.IsArray)
        {
            return TypeSpec.ListOf(FromClrType(type.GetElementType()!, info?.ElementType));
        }

        if (type.IsGenericType)
        {
            var def = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            TypeSpec Arg(int i) => FromClrType(args[i], info is not null && info.GenericTypeArguments.Length > i ? info.GenericTypeArguments[i] : null);

            if (def == typeof(List<>) || def == typeof(IList<>) || def == typeof(IReadOnlyList<>) || def == typeof(IEnumerable<>)
                || def == typeof(ICollection<>) || def == typeof(IReadOnlyCollection<>))
            {
                return TypeSpec.ListOf(Arg(0));
            }
            if (def == typeof(HashSet<>) || def == typeof(ISet<>) || def == typeof(IReadOnlySet<>) || def == typeof(SortedSet<>))
            {
                return TypeSpec.SetOf(Arg(0));
            }
            if (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>)
                || def == typeof(SortedDictionary<,>))
            {
                return TypeSpec.DictOf(Arg(0), Arg(1));
            }
            if (typeof(System.Runtime.CompilerServices.ITuple).IsAssignableFrom(type) && type.FullName?.StartsWith("System.", StringComparison.Ordinal) == true)
            {
                return TypeSpec.TupleOf([.. args.Select((_, i) => Arg(i))]);
            }
        }

        // Other collections (immutable, concurrent, custom) are described by the generic interface they implement.
        if ((FindInterface(type, typeof(IDictionary<,>)) ?? FindInterface(type, typeof(IReadOnlyDictionary<,>))) is { } dict)
        {
            return TypeSpec.DictOf(FromClrType(dict[0], null), FromClrType(dict[1], null));
        }
        if (typeof(System.Collections.IDictionary).IsAssignableFrom(type)) return TypeSpec.BareDict;
        if ((FindInterface(type, typeof(ISet<>)) ?? FindInterface(type, typeof(IReadOnlySet<>))) is { } set) return TypeSpec.SetOf(FromClrType(set[0], null));
        if (FindInterface(type, typeof(IEnumerable<>)) is { } seq) return TypeSpec.ListOf(FromClrType(seq[0], null));
        if (typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) return TypeSpec.BareList;
        if (type.IsPrimitive || type.IsPointer || type.IsGenericTypeDefinition)
        {
            throw new ArgumentException($"The type {type} has no DSPy annotation.", nameof(type));
        }
        return TypeSpec.ObjectOf(type);
    }

    private static Type[]? FindInterface(Type type, Type definition) =>
        type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition)?.GetGenericArguments();
}
