using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// Where a field's value starts and ends in each adapter's output, for <see cref="FieldStreamParser"/>: the start marker,
/// the end of the value, how much of a partial value is safe to pass on (nothing that could still turn out to be the
/// end marker, nor a half escape sequence), and how raw value text decodes.
/// </summary>
internal static partial class FieldMarkers
{
    // `[[ ## ` + field name + ` ## ]]`; longer names than this are not held back as a possible marker.
    private const string ChatOpen = "[[ ## ";
    private const string ChatClose = " ## ]]";
    private const int MaxMarkerName = 100;

    [GeneratedRegex(@"\[\[ ## \w+ ## \]\]")]
    private static partial Regex ChatMarker();

    /// <summary>Finds the field's start marker in <paramref name="text"/>: its index and length, or (-1, 0).</summary>
    public static (int Index, int Length) FindStart(StreamFormat format, string field, string text)
    {
        switch (format)
        {
            case StreamFormat.Chat:
                return Exact(text, $"[[ ## {field} ## ]]");
            case StreamFormat.Xml:
                return Exact(text, $"<{field}>");
            case StreamFormat.Json:
                // The key, then optional whitespace and the colon. Inside another JSON string the quotes would be escaped
                // (\"field\":), which this does not match.
                var m = Regex.Match(text, "\"" + Regex.Escape(field) + "\"\\s*:", RegexOptions.CultureInvariant);
                return m.Success ? (m.Index, m.Length) : (-1, 0);
            default:
                return (-1, 0);
        }
    }

    /// <summary>How many trailing characters to keep while looking for the start marker (the rest cannot be part of it).</summary>
    public static int StartTailLength(StreamFormat format, string field) => format switch
    {
        StreamFormat.Chat => field.Length + 12,
        StreamFormat.Xml => field.Length + 2,
        _ => field.Length + 3 + 32, // JSON: room for whitespace before the colon
    };

    private static (int, int) Exact(string text, string marker)
    {
        var i = text.IndexOf(marker, StringComparison.Ordinal);
        return i < 0 ? (-1, 0) : (i, marker.Length);
    }

    /// <summary>
    /// Scans the raw value text after the start marker (leading whitespace and, for a JSON string, the opening quote
    /// already removed). Returns the index where the value ends (-1 if not yet) and the length of the prefix that is safe
    /// to decode and emit now.
    /// </summary>
    public static (int End, int Safe) Scan(StreamFormat format, string field, bool jsonString, string raw) => format switch
    {
        StreamFormat.Chat => ScanChat(raw),
        StreamFormat.Xml => ScanXml(field, raw),
        _ => jsonString ? ScanJsonString(raw) : ScanJsonBare(raw),
    };

    private static (int, int) ScanChat(string raw)
    {
        var m = ChatMarker().Match(raw);
        if (m.Success) return (m.Index, m.Index);
        var hold = raw.Length;
        for (var i = Math.Max(0, raw.Length - (ChatOpen.Length + MaxMarkerName + ChatClose.Length)); i < raw.Length; i++)
        {
            if (raw[i] == '[' && IsChatMarkerPrefix(raw.AsSpan(i)))
            {
                hold = i;
                break;
            }
        }
        return (-1, BackOverWhitespace(raw, hold));
    }

    /// <summary>True if <paramref name="s"/> could be the beginning of <c>[[ ## name ## ]]</c>.</summary>
    internal static bool IsChatMarkerPrefix(ReadOnlySpan<char> s)
    {
        var open = Math.Min(s.Length, ChatOpen.Length);
        if (!s[..open].SequenceEqual(ChatOpen.AsSpan(0, open))) return false;
        var i = open;
        if (i == s.Length) return true;
        var nameStart = i;
        while (i < s.Length && IsWordChar(s[i])) i++;
        if (i - nameStart > MaxMarkerName || i == nameStart) return false;
        if (i == s.Length) return true;
        var rest = s[i..];
        // A complete marker is found by the regex before this is asked, so only a proper prefix of the close counts.
        return rest.Length < ChatClose.Length && rest.SequenceEqual(ChatClose.AsSpan(0, rest.Length));
    }

    // Regex \w: letters, digits, connector punctuation (underscore) and marks.
    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_'
        || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    private static (int, int) ScanXml(string field, string raw)
    {
        var close = $"</{field}>";
        var end = raw.IndexOf(close, StringComparison.Ordinal);
        if (end >= 0) return (end, end);
        var hold = raw.Length;
        for (var i = Math.Max(0, raw.Length - close.Length + 1); i < raw.Length; i++)
        {
            if (raw[i] == '<' && close.AsSpan().StartsWith(raw.AsSpan(i)))
            {
                hold = i;
                break;
            }
        }
        // An entity (&amp;) cut in the middle waits for its semicolon.
        var amp = hold > 0 ? raw.LastIndexOf('&', hold - 1) : -1;
        if (amp >= 0 && hold - amp <= 10 && raw.IndexOf(';', amp, hold - amp) < 0) hold = amp;
        return (-1, BackOverWhitespace(raw, hold));
    }

    private static (int, int) ScanJsonString(string raw)
    {
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            if (c == '"') return (i, i);
            if (c != '\\')
            {
                i++;
                continue;
            }
            if (i + 1 >= raw.Length) break;
            var width = raw[i + 1] == 'u' ? 6 : 2;
            if (i + width > raw.Length) break;
            i += width;
        }
        // A high surrogate escape waits for its low half so that no chunk ends in half a character.
        if (i >= 6 && raw[i - 6] == '\\' && raw[i - 5] == 'u' && ushort.TryParse(raw.AsSpan(i - 4, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var unit)
            && char.IsHighSurrogate((char)unit))
        {
            i -= 6;
        }
        return (-1, i);
    }

    // A bare JSON value (number, literal): it ends at the next comma, closing brace or line break.
    private static (int, int) ScanJsonBare(string raw)
    {
        var end = raw.AsSpan().IndexOfAny(",}\n");
        return end >= 0 ? (end, end) : (-1, BackOverWhitespace(raw, raw.Length));
    }

    // Whitespace right before a possible end marker may be the separator before it, which is not part of the value.
    private static int BackOverWhitespace(string raw, int hold)
    {
        while (hold > 0 && char.IsWhiteSpace(raw[hold - 1])) hold--;
        return hold;
    }

    /// <summary>Decodes raw value text: JSON string escapes, XML entities; Chat text is as written.</summary>
    public static string Decode(StreamFormat format, bool jsonString, string raw) => format switch
    {
        StreamFormat.Json when jsonString => DecodeJson(raw),
        StreamFormat.Xml => DecodeXml(raw),
        _ => raw,
    };

    private static string DecodeJson(string raw)
    {
        if (!raw.Contains('\\', StringComparison.Ordinal)) return raw;
        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\' || i + 1 >= raw.Length)
            {
                sb.Append(c);
                continue;
            }
            var e = raw[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when i + 4 < raw.Length:
                    if (ushort.TryParse(raw.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var unit))
                    {
                        sb.Append((char)unit);
                        i += 4;
                    }
                    else
                    {
                        sb.Append('\\').Append('u');
                    }
                    break;
                default: sb.Append(e); break; // \" \\ \/ and anything unexpected: the character itself
            }
        }
        return sb.ToString();
    }

    private static string DecodeXml(string raw)
    {
        if (!raw.Contains('&', StringComparison.Ordinal)) return raw;
        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var semi = raw[i] == '&' ? raw.IndexOf(';', i) : -1;
            if (semi < 0 || semi - i > 10)
            {
                sb.Append(raw[i]);
                continue;
            }
            var name = raw.AsSpan(i + 1, semi - i - 1);
            string? decoded = name switch
            {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                _ when name.StartsWith("#x") && int.TryParse(name[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex) => CodePoint(hex),
                _ when name.StartsWith("#") && int.TryParse(name[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var dec) => CodePoint(dec),
                _ => null,
            };
            if (decoded is null)
            {
                sb.Append(raw[i]);
                continue;
            }
            sb.Append(decoded);
            i = semi;
        }
        return sb.ToString();
    }

    private static string? CodePoint(int value) => Rune.IsValid(value) ? char.ConvertFromUtf32(value) : null;
}
