using System.Collections;
using System.Runtime.CompilerServices;

namespace Dspy;

/// <summary>
/// DSPy's <c>_is_value_compatible_with_type</c>, the check behind Predict's type-mismatch warning, over the value model:
/// Python's <c>isinstance</c> rules (a bool is an int, an int is not a float), lists of strings accepted for <c>str</c>.
/// Types it cannot judge (custom DSPy types without a CLR type) count as compatible, so they never warn.
/// </summary>
internal static class InputTypeCheck
{
    public static bool IsCompatible(object? value, TypeSpec type)
    {
        if (type.Kind == TypeKind.Str && value is IList list && list.Cast<object?>().All(i => i is string)) return true;
        return Check(value, type);
    }

    private static bool Check(object? value, TypeSpec type)
    {
        switch (type.Kind)
        {
            case TypeKind.Any: return true;
            case TypeKind.Union: return type.Args.Any(a => Check(value, a));
            case TypeKind.Literal: return type.LiteralValues.Any(v => ValueEquality.Equal(v, value) && (v is bool) == (value is bool));
            case TypeKind.NoneType: return value is null;
            case TypeKind.Str: return value is string or char;
            case TypeKind.Bool: return value is bool;
            case TypeKind.Int: return value is bool or long or int or short or byte or sbyte or ushort or uint or ulong or System.Numerics.BigInteger;
            case TypeKind.Float: return value is double or float or decimal;
            case TypeKind.List:
                return value is IList items and not Array { Rank: > 1 }
                    && (type.Args.Count == 0 || items.Cast<object?>().All(i => Check(i, type.Args[0])));
            case TypeKind.Dict:
                if (value is not IDictionary dict) return false;
                if (type.Args.Count < 2) return true;
                foreach (DictionaryEntry e in dict)
                {
                    if (!Check(e.Key, type.Args[0]) || !Check(e.Value, type.Args[1])) return false;
                }
                return true;
            case TypeKind.Tuple:
                if (value is not ITuple tuple) return false;
                if (type.Args.Count == 0) return true;
                if (type.IsVariadicTuple) return Enumerable.Range(0, tuple.Length).All(i => Check(tuple[i], type.Args[0]));
                if (type.Args.Count != tuple.Length) return false;
                return Enumerable.Range(0, tuple.Length).All(i => Check(tuple[i], type.Args[i]));
            case TypeKind.Set:
                return value is IEnumerable and not string and not IList and not IDictionary;
            default:
                return type.ClrType is null || value is null || type.ClrType.IsInstanceOfType(value);
        }
    }
}
