using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dspy;

/// <summary>
/// The canonical JSON used for cache keys, like DSPy's <c>orjson.dumps(params, option=OPT_SORT_KEYS)</c>: compact
/// separators, object keys sorted by ordinal order at every level, floats in Python's repr. CLR objects are first
/// converted with <see cref="ValueModel.FromClr"/>, so records hash by their snake_case JSON shape.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Serialises <paramref name="value"/> canonically.</summary>
    public static string Serialize(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    /// <summary>The lowercase hex SHA-256 of the canonical JSON of <paramref name="value"/> (64 characters).</summary>
    public static string Sha256Hex(object? value)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Serialize(value))));

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: PythonJson.WriteString(sb, s, ensureAscii: false); break;
            case double d:
                // JSON has no NaN/Infinity; orjson writes null for them, and so does this.
                sb.Append(double.IsFinite(d) ? PythonFloat.Repr(d) : "null");
                break;
            case float f: Write(sb, (double)f); break;
            case long or int or short or byte or sbyte or ushort or uint or ulong or System.Numerics.BigInteger:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case IDictionary<string, object?> dict:
                WriteObject(sb, dict.Select(kv => (kv.Key, kv.Value)));
                break;
            case IReadOnlyDictionary<string, object?> rdict:
                WriteObject(sb, rdict.Select(kv => (kv.Key, kv.Value)));
                break;
            case IDictionary other:
                WriteObject(sb, other.Cast<DictionaryEntry>().Select(e => (Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "null", e.Value)));
                break;
            case IList list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, list[i]);
                }
                sb.Append(']');
                break;
            default:
                var converted = ValueModel.FromClr(value);
                if (converted is not null && converted.GetType() == value.GetType())
                    throw new NotSupportedException($"Cannot render a {value.GetType().Name} as canonical JSON.");
                Write(sb, converted);
                break;
        }
    }

    private static void WriteObject(StringBuilder sb, IEnumerable<(string Key, object? Value)> entries)
    {
        sb.Append('{');
        var first = true;
        foreach (var (key, v) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!first) sb.Append(',');
            first = false;
            PythonJson.WriteString(sb, key, ensureAscii: false);
            sb.Append(':');
            Write(sb, v);
        }
        sb.Append('}');
    }
}
