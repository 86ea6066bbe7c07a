using System.Collections;
using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>
/// Python's <c>str()</c> and <c>repr()</c> of values in the library's value model, so that prompts, error
/// messages and reprs read exactly as DSPy's do (<c>True</c>, <c>None</c>, <c>100.0</c>, <c>['a', 'b']</c>).
/// </summary>
public static class PythonRepr
{
    /// <summary>Python's <c>str(value)</c>: strings as they are, everything else as <see cref="Repr"/> would show it.</summary>
    public static string Str(object? value) => value switch
    {
        string s => s,
        char c => c.ToString(),
        Enum e => EnumStr(e),
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr(value)</c>.</summary>
    public static string Repr(object? value)
    {
        // Scalars are the common case in prompts; they need no builder.
        switch (value)
        {
            case null: return "None";
            case bool b: return b ? "True" : "False";
            case double d: return PythonFloat.Repr(d);
            case long l: return l.ToString(CultureInfo.InvariantCulture);
            case int i: return i.ToString(CultureInfo.InvariantCulture);
        }
        var sb = new StringBuilder();
        AppendRepr(sb, value);
        return sb.ToString();
    }

    /// <summary>Python's repr of a set of strings: <c>{'a', 'b'}</c>, or <c>set()</c> when empty.</summary>
    public static string ReprSet(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? "set()" : "{" + string.Join(", ", list.Select(ReprString)) + "}";
    }

    /// <summary>Python's repr of a string: single quotes unless the text has a single quote and no double quote.</summary>
    public static string ReprString(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2);
        sb.Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            var v = rune.Value;
            switch (v)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (v == quote) sb.Append('\\').Append(quote);
                    else if (v < 0x20 || v == 0x7f) sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
                    else if (IsUnprintable(rune)) AppendEscape(sb, v);
                    else sb.Append(rune.ToString());
                    break;
            }
        }
        sb.Append(quote);
        return sb.ToString();
    }

    private static bool IsUnprintable(Rune rune)
    {
        var cat = Rune.GetUnicodeCategory(rune);
        return cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator
            || (cat == UnicodeCategory.SpaceSeparator && rune.Value != ' ');
    }

    private static void AppendEscape(StringBuilder sb, int v)
    {
        if (v <= 0xff) sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
        else if (v <= 0xffff) sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
        else sb.Append("\\U").Append(v.ToString("x8", CultureInfo.InvariantCulture));
    }

    private static void AppendRepr(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case string s: sb.Append(ReprString(s)); break;
            case char c: sb.Append(ReprString(c.ToString())); break;
            case double d: sb.Append(PythonFloat.Repr(d)); break;
            case float f: sb.Append(PythonFloat.Repr(f)); break;
            case decimal m: sb.Append(PythonFloat.Repr((double)m)); break;
            case long or int or short or byte or sbyte or ushort or uint or ulong or System.Numerics.BigInteger:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case Enum e: sb.Append('<').Append(e.GetType().Name).Append('.').Append(e).Append(": ").Append(ReprEnumValue(e)).Append('>'); break;
            case IPythonRepresentable p: sb.Append(p.ToPythonRepr()); break;
            case IDictionary dict:
                sb.Append('{');
                var first = true;
                foreach (DictionaryEntry kv in dict)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, kv.Key);
                    sb.Append(": ");
                    AppendRepr(sb, kv.Value);
                }
                sb.Append('}');
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs when value is not IList:
                AppendRepr(sb, pairs.ToDictionary(kv => kv.Key, kv => kv.Value));
                break;
            case System.Runtime.CompilerServices.ITuple tuple:
                sb.Append('(');
                for (var i = 0; i < tuple.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, tuple[i]);
                }
                if (tuple.Length == 1) sb.Append(',');
                sb.Append(')');
                break;
            case IEnumerable items when value is not string:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in items)
                {
                    if (!firstItem) sb.Append(", ");
                    firstItem = false;
                    AppendRepr(sb, item);
                }
                sb.Append(']');
                break;
            default:
                sb.Append(ObjectRepr(value));
                break;
        }
    }

    /// <summary>A pydantic-style repr of a CLR object: <c>Name(field=value, ...)</c> over its JSON-visible members.</summary>
    private static string ObjectRepr(object value)
    {
        var model = ValueModel.FromClr(value);
        if (model is IDictionary<string, object?> fields)
        {
            return value.GetType().Name + "(" + string.Join(", ", fields.Select(kv => kv.Key + "=" + Repr(kv.Value))) + ")";
        }
        return Repr(model);
    }

    private static string EnumStr(Enum e) => e.GetType().Name + "." + e;

    private static string ReprEnumValue(Enum e) => Repr(ValueModel.EnumValue(e));
}

/// <summary>Implemented by types that render themselves as Python would (<c>Image</c>, <c>History</c>, <c>ToolCalls</c> ...).</summary>
public interface IPythonRepresentable
{
    /// <summary>The Python <c>repr</c> of this value.</summary>
    string ToPythonRepr();
}
