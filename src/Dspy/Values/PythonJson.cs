using System.Collections;
using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>
/// Python's <c>json.dumps</c> over the value model: separators <c>", "</c> and <c>": "</c> (or <c>","</c> and
/// newlines with an indent), floats as Python's repr, <c>NaN</c>/<c>Infinity</c>, and optional <c>ensure_ascii</c>.
/// CLR objects are first converted with <see cref="ValueModel.FromClr"/>.
/// </summary>
public static class PythonJson
{
    /// <summary>Serialises a value as Python's <c>json.dumps(value, ensure_ascii=..., indent=...)</c> would.</summary>
    public static string Dumps(object? value, bool ensureAscii = false, int? indent = null)
    {
        // Write converts CLR objects where it meets them, so values already in the model are not copied first.
        var sb = new StringBuilder();
        Write(sb, value, ensureAscii, indent, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value, bool ensureAscii, int? indent, int level)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: WriteString(sb, s, ensureAscii); break;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PythonFloat.Repr(d));
                break;
            case long or System.Numerics.BigInteger: sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            case IDictionary dict:
                if (dict.Count == 0)
                {
                    sb.Append("{}");
                    break;
                }
                sb.Append('{');
                var first = true;
                foreach (DictionaryEntry kv in dict)
                {
                    if (!first) sb.Append(indent is null ? ", " : ",");
                    first = false;
                    NewLine(sb, indent, level + 1);
                    WriteString(sb, KeyString(kv.Key), ensureAscii);
                    sb.Append(": ");
                    Write(sb, kv.Value, ensureAscii, indent, level + 1);
                }
                NewLine(sb, indent, level);
                sb.Append('}');
                break;
            case IList list:
                if (list.Count == 0)
                {
                    sb.Append("[]");
                    break;
                }
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(indent is null ? ", " : ",");
                    NewLine(sb, indent, level + 1);
                    Write(sb, list[i], ensureAscii, indent, level + 1);
                }
                NewLine(sb, indent, level);
                sb.Append(']');
                break;
            default:
                Write(sb, ValueModel.FromClr(value), ensureAscii, indent, level);
                break;
        }
    }

    // json.dumps turns non-string keys into strings the Python way: True -> "true", None -> "null", 1.0 -> "1.0".
    private static string KeyString(object key) => key switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => PythonFloat.Repr(d),
        _ => Convert.ToString(key, CultureInfo.InvariantCulture) ?? "null",
    };

    private static void NewLine(StringBuilder sb, int? indent, int level)
    {
        if (indent is not { } n) return;
        sb.Append('\n').Append(' ', n * level);
    }

    /// <summary>Writes a JSON string literal with Python's escaping rules.</summary>
    public static void WriteString(StringBuilder sb, string s, bool ensureAscii)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(s);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7e))
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
