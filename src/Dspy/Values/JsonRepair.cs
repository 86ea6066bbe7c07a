using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dspy;

/// <summary>
/// Lenient JSON reading in the manner of the <c>json_repair</c> package DSPy relies on: valid JSON is parsed
/// as it is; otherwise the first object or array in the text is read while tolerating single quotes, unquoted
/// keys and values, <c>True</c>/<c>False</c>/<c>Null</c> in any case (but, as in json_repair, not <c>None</c>), trailing commas, comments, code fences,
/// digit separators and missing closing brackets. Text with no object or array gives <c>""</c>, as
/// <c>json_repair.loads</c> does. Results are in the value model (long, double, string, bool, null, lists, dictionaries).
/// </summary>
public static class JsonRepair
{
    /// <summary>Parses <paramref name="text"/> leniently; returns <c>""</c> when no JSON value can be recovered.</summary>
    public static object? Loads(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParseStrict(text, out var strict)) return strict;
        var reader = new Reader(text);
        return reader.ParseDocument();
    }

    /// <summary>Parses strict JSON as Python's <c>json.loads</c> would; false when the text is not valid JSON.</summary>
    public static bool TryParseStrict(string text, out object? value)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = null;
        var trimmed = text.Trim(' ', '\t', '\n', '\r');
        if (trimmed.Length == 0) return false;
        try
        {
            using var doc = JsonDocument.Parse(trimmed, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            value = ValueModel.FromJson(doc.RootElement);
            return true;
        }
        catch (JsonException)
        {
            switch (trimmed)
            {
                case "NaN": value = double.NaN; return true;
                case "Infinity": value = double.PositiveInfinity; return true;
                case "-Infinity": value = double.NegativeInfinity; return true;
                default: return false;
            }
        }
    }

    private sealed class Reader(string text)
    {
        private int _pos;
        private int _arrayDepth;

        public object? ParseDocument()
        {
            // Like json_repair, skip any prose or fences before the first object or array.
            while (_pos < text.Length && text[_pos] != '{' && text[_pos] != '[') _pos++;
            if (_pos >= text.Length) return "";
            return ParseValue();
        }

        private char Peek => _pos < text.Length ? text[_pos] : '\0';

        private bool AtEnd => _pos >= text.Length;

        private void SkipWhitespaceAndComments()
        {
            while (!AtEnd)
            {
                var c = text[_pos];
                if (char.IsWhiteSpace(c))
                {
                    _pos++;
                }
                else if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '/')
                {
                    while (!AtEnd && text[_pos] != '\n') _pos++;
                }
                else if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '*')
                {
                    var end = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                    _pos = end < 0 ? text.Length : end + 2;
                }
                else if (c == '#')
                {
                    while (!AtEnd && text[_pos] != '\n') _pos++;
                }
                else
                {
                    break;
                }
            }
        }

        private object? ParseValue()
        {
            SkipWhitespaceAndComments();
            if (AtEnd) return "";
            var c = Peek;
            switch (c)
            {
                case '{': return LooksLikeSetLiteral() ? ParseSetLiteral() : ParseObject();
                case '[':
                {
                    _arrayDepth++;
                    try
                    {
                        return ParseArray();
                    }
                    finally
                    {
                        _arrayDepth--;
                    }
                }
                case '"' or '\'' or '\u201c' or '\u2018': return ParseString(isKey: false);
            }
            if (char.IsDigit(c) || c is '-' or '+' or '.')
            {
                var start = _pos;
                var number = TryParseNumber();
                if (number is not null) return number;
                _pos = start;
            }
            return ParseBareWord();
        }

        private Dictionary<string, object?> ParseObject()
        {
            _pos++; // '{'
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (true)
            {
                SkipWhitespaceAndComments();
                while (Peek == ',')
                {
                    _pos++;
                    SkipWhitespaceAndComments();
                }
                if (AtEnd) return result;
                if (Peek == '}')
                {
                    _pos++;
                    return result;
                }
                if (Peek == ']')
                {
                    // A stray closer of the wrong kind ends the object.
                    return result;
                }
                var key = Peek is '"' or '\'' or '\u201c' or '\u2018' ? ParseString(isKey: true) : ParseBareKey();
                SkipWhitespaceAndComments();
                if (Peek == ':')
                {
                    _pos++;
                }
                SkipWhitespaceAndComments();
                object? value;
                if (AtEnd || Peek is ',' or '}')
                {
                    value = "";
                }
                else
                {
                    value = ParseValue();
                }
                result[key] = value;
            }
        }

        // json_repair reads a brace pair without any `key: value` member as an array, so a Python-style set literal
        // such as {1, 2} becomes [1, 2]. Only the shapes where it does so consistently are treated that way here:
        // outside arrays, no ':' in the body, and items that are numbers, true/false/null, arrays or strings
        // (but not a string followed by a non-string, which json_repair pairs up as a key and its value).
        private bool LooksLikeSetLiteral()
        {
            if (_arrayDepth > 0) return false;
            var items = new List<string>();
            var depth = 0;
            char? quote = null;
            var itemStart = _pos + 1;
            for (var i = _pos + 1; i < text.Length; i++)
            {
                var c = text[i];
                if (quote is not null)
                {
                    if (c == '\\') i++;
                    else if (c == quote) quote = null;
                    continue;
                }
                switch (c)
                {
                    case '"' or '\'': quote = c; break;
                    case ':': return false;
                    case '[' or '{': depth++; break;
                    case ']': depth--; break;
                    case '}' when depth > 0: depth--; break;
                    case '}':
                        items.Add(text[itemStart..i]);
                        return IsSetItems(items);
                    case ',' when depth == 0:
                        items.Add(text[itemStart..i]);
                        itemStart = i + 1;
                        break;
                }
            }
            return false;
        }

        private static bool IsSetItems(List<string> items)
        {
            var trimmed = items.Select(x => x.Trim()).ToList();
            if (trimmed.Count > 0 && trimmed[^1].Length == 0) trimmed.RemoveAt(trimmed.Count - 1);
            if (trimmed.Count == 0 || trimmed.Any(t => t.Length == 0)) return false;
            static bool IsString(string t) => t[0] is '"' or '\'';
            static bool IsOther(string t) => t[0] == '[' || t.ToLowerInvariant() is "true" or "false" or "null"
                || ((char.IsAsciiDigit(t[0]) || t[0] is '-' or '+' or '.') && ParseNumberText(t) is not null);
            if (!trimmed.All(t => IsString(t) || IsOther(t))) return false;
            return !IsString(trimmed[0]) || trimmed.All(IsString);
        }

        private List<object?> ParseSetLiteral()
        {
            var items = ParseArray(); // reads from after the '{' up to the '}'
            if (Peek == '}') _pos++;
            return items;
        }

        private List<object?> ParseArray()
        {
            _pos++; // '['
            var result = new List<object?>();
            while (true)
            {
                SkipWhitespaceAndComments();
                while (Peek == ',')
                {
                    _pos++;
                    SkipWhitespaceAndComments();
                }
                if (AtEnd) return result;
                if (Peek == ']')
                {
                    _pos++;
                    return result;
                }
                if (Peek == '}')
                {
                    return result;
                }
                var before = _pos;
                result.Add(ParseValue());
                if (_pos == before) _pos++; // never loop on an unreadable character
            }
        }

        private static char ClosingQuote(char open) => open switch
        {
            '\u201c' => '\u201d',
            '\u2018' => '\u2019',
            _ => open,
        };

        private string ParseString(bool isKey)
        {
            var open = text[_pos++];
            var close = ClosingQuote(open);
            var sb = new StringBuilder();
            while (!AtEnd)
            {
                var c = text[_pos];
                if (c == '\\' && _pos + 1 < text.Length)
                {
                    var e = text[_pos + 1];
                    _pos += 2;
                    switch (e)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 't': sb.Append('\t'); break;
                        case 'r': sb.Append('\r'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'u' when _pos + 4 <= text.Length && int.TryParse(text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                            sb.Append((char)code);
                            _pos += 4;
                            break;
                        default: sb.Append(e); break;
                    }
                    continue;
                }
                if (c == close || (close == open && c == '\u201d'))
                {
                    // A quote closes the string only where JSON could continue; otherwise it is part of the text.
                    var look = _pos + 1;
                    while (look < text.Length && text[look] is ' ' or '\t' or '\r') look++;
                    var next = look < text.Length ? text[look] : '\0';
                    var closes = isKey ? next is ':' or '\0' or '}' or ',' or '\n' : next is ',' or '}' or ']' or '\0' or '\n' or ':';
                    if (closes)
                    {
                        _pos++;
                        return sb.ToString();
                    }
                }
                sb.Append(c);
                _pos++;
            }
            return sb.ToString();
        }

        private string ParseBareKey()
        {
            var start = _pos;
            while (!AtEnd && text[_pos] is not ':' and not ',' and not '}' and not '\n') _pos++;
            return text[start.._pos].Trim();
        }

        private object? ParseBareWord()
        {
            var start = _pos;
            while (!AtEnd)
            {
                var c = text[_pos];
                if (c is ',' or '\n' or '}' or ']') break;
                _pos++;
            }
            var word = text[start.._pos].Trim();
            // Like json_repair, true/false/null are matched case-insensitively; Python's None is not one of them and stays text.
            return word.ToLowerInvariant() switch
            {
                "true" => true,
                "false" => false,
                "null" => null,
                _ => word,
            };
        }

        private object? TryParseNumber()
        {
            var start = _pos;
            while (!AtEnd && (char.IsDigit(text[_pos]) || text[_pos] is '-' or '+' or '.' or 'e' or 'E' or '_')) _pos++;
            var raw = text[start.._pos];
            // The number must end where a JSON value can end.
            var look = _pos;
            while (look < text.Length && text[look] is ' ' or '\t' or '\r') look++;
            if (look < text.Length && text[look] is not (',' or '}' or ']' or '\n')) return null;
            return ParseNumberText(raw);
        }
    }

    /// <summary>Parses a number written with optional <c>_</c> digit separators: a long (or BigInteger) for integers, a double otherwise; null if invalid.</summary>
    internal static object? ParseNumberText(string raw)
    {
        if (raw.Length == 0) return null;
        if (raw.Contains('_', StringComparison.Ordinal))
        {
            // Python accepts single underscores between digits only.
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] != '_') continue;
                if (i == 0 || i == raw.Length - 1 || !char.IsDigit(raw[i - 1]) || !char.IsDigit(raw[i + 1])) return null;
            }
            raw = raw.Replace("_", "", StringComparison.Ordinal);
        }
        var isFloat = raw.AsSpan().IndexOfAny(".eE") >= 0;
        if (!isFloat)
        {
            if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
            if (System.Numerics.BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)) return big;
            return null;
        }
        if (raw.EndsWith('.') && raw.Length > 1 && char.IsDigit(raw[^2])) raw += "0";
        if (raw.StartsWith('.')) raw = "0" + raw;
        if (raw.StartsWith("-.", StringComparison.Ordinal)) raw = "-0" + raw[1..];
        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }
}
