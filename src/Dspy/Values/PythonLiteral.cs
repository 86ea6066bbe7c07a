using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>
/// A subset of Python's <c>ast.literal_eval</c>: numbers (with <c>_</c> separators), strings, <c>True</c>,
/// <c>False</c>, <c>None</c>, lists, tuples, sets and dicts. DSPy's <c>parse_value</c> uses it when
/// <c>json_repair</c> finds nothing; a tuple or set becomes a list in the value model.
/// </summary>
public static class PythonLiteral
{
    /// <summary>Evaluates <paramref name="text"/> as a Python literal; false if it is not one.</summary>
    public static bool TryEval(string text, out object? value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new Parser(text.TrimStart(' ', '\t'));
        try
        {
            value = p.ParseExpression();
            p.SkipWhitespace();
            if (!p.AtEnd) throw new FormatException("trailing text");
            return true;
        }
        catch (FormatException)
        {
            value = null;
            return false;
        }
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private char Peek => _pos < text.Length ? text[_pos] : '\0';

        public object? ParseExpression()
        {
            SkipWhitespace();
            if (AtEnd) throw new FormatException("unexpected end");
            var c = Peek;
            if (c is '+' or '-')
            {
                _pos++;
                var operand = ParseExpression();
                return c == '+' ? operand switch
                {
                    long or double or System.Numerics.BigInteger => operand,
                    _ => throw new FormatException("bad operand"),
                } : operand switch
                {
                    long l => -l,
                    double d => -d,
                    System.Numerics.BigInteger b => -b,
                    _ => throw new FormatException("bad operand"),
                };
            }
            if (c == '[') return ParseSequence(']');
            if (c == '(') return ParseSequence(')');
            if (c == '{') return ParseBrace();
            if (c is '"' or '\'') return ParseStrings();
            if (char.IsDigit(c) || c == '.') return ParseNumber();
            if (char.IsLetter(c) || c == '_') return ParseName();
            throw new FormatException("unexpected character");
        }

        private object? ParseName()
        {
            var start = _pos;
            while (!AtEnd && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            var name = text[start.._pos];
            // A string prefix such as r'..' or b'..' is not supported; only the three constants are literals.
            return name switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                _ => throw new FormatException($"name {name} is not a literal"),
            };
        }

        private object ParseNumber()
        {
            var start = _pos;
            while (!AtEnd && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '.' or '_'
                   || (text[_pos] is '+' or '-' && _pos > start && text[_pos - 1] is 'e' or 'E'))) _pos++;
            var raw = text[start.._pos];
            if (raw.Length > 1 && raw[0] == '0' && raw[1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B')
            {
                var digits = raw[2..].Replace("_", "", StringComparison.Ordinal);
                var radix = raw[1] is 'x' or 'X' ? 16 : raw[1] is 'o' or 'O' ? 8 : 2;
                try
                {
                    return Convert.ToInt64(digits, radix);
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
                {
                    throw new FormatException("bad number", ex);
                }
            }
            if (raw.Length > 1 && raw[0] == '0' && raw.All(ch => ch is '0' or '_') is false && !raw.Contains('.', StringComparison.Ordinal)
                && !raw.Contains('e', StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException("leading zeros in decimal integer literals are not permitted");
            }
            return JsonRepair.ParseNumberText(raw) ?? throw new FormatException("bad number");
        }

        private string ParseStrings()
        {
            // Adjacent string literals concatenate, as in Python source.
            var sb = new StringBuilder();
            do
            {
                sb.Append(ParseString());
                SkipWhitespace();
            }
            while (Peek is '"' or '\'');
            return sb.ToString();
        }

        private string ParseString()
        {
            var quote = text[_pos];
            var triple = _pos + 2 < text.Length && text[_pos + 1] == quote && text[_pos + 2] == quote;
            _pos += triple ? 3 : 1;
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw new FormatException("unterminated string");
                var c = text[_pos];
                if (c == '\\')
                {
                    if (_pos + 1 >= text.Length) throw new FormatException("unterminated string");
                    var e = text[_pos + 1];
                    _pos += 2;
                    switch (e)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 't': sb.Append('\t'); break;
                        case 'r': sb.Append('\r'); break;
                        case '0': sb.Append('\0'); break;
                        case '\\': sb.Append('\\'); break;
                        case '\'': sb.Append('\''); break;
                        case '"': sb.Append('"'); break;
                        case '\n': break;
                        case 'x' when _pos + 2 <= text.Length:
                            sb.Append((char)int.Parse(text.AsSpan(_pos, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            _pos += 2;
                            break;
                        case 'u' when _pos + 4 <= text.Length:
                            sb.Append((char)int.Parse(text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            _pos += 4;
                            break;
                        default: sb.Append('\\').Append(e); break;
                    }
                    continue;
                }
                if (c == quote)
                {
                    if (!triple)
                    {
                        _pos++;
                        return sb.ToString();
                    }
                    if (_pos + 2 < text.Length && text[_pos + 1] == quote && text[_pos + 2] == quote)
                    {
                        _pos += 3;
                        return sb.ToString();
                    }
                }
                if (c == '\n' && !triple) throw new FormatException("unterminated string");
                sb.Append(c);
                _pos++;
            }
        }

        private object? ParseSequence(char closer)
        {
            _pos++;
            var items = new List<object?>();
            var sawComma = false;
            while (true)
            {
                SkipWhitespace();
                if (Peek == closer)
                {
                    _pos++;
                    // (x) without a comma is just x in Python; keep it a value, not a tuple.
                    if (closer == ')' && items.Count == 1 && !sawComma) return items[0];
                    return items;
                }
                items.Add(ParseExpression());
                SkipWhitespace();
                if (Peek == ',')
                {
                    sawComma = true;
                    _pos++;
                }
                else if (Peek != closer)
                {
                    throw new FormatException("expected a comma");
                }
            }
        }

        private object ParseBrace()
        {
            _pos++;
            SkipWhitespace();
            if (Peek == '}')
            {
                _pos++;
                return new Dictionary<string, object?>(StringComparer.Ordinal);
            }
            var first = ParseExpression();
            SkipWhitespace();
            if (Peek == ':')
            {
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                _pos++;
                dict[KeyString(first)] = ParseExpression();
                while (true)
                {
                    SkipWhitespace();
                    if (Peek == ',')
                    {
                        _pos++;
                        SkipWhitespace();
                    }
                    if (Peek == '}')
                    {
                        _pos++;
                        return dict;
                    }
                    var key = ParseExpression();
                    SkipWhitespace();
                    if (Peek != ':') throw new FormatException("expected ':'");
                    _pos++;
                    dict[KeyString(key)] = ParseExpression();
                }
            }
            var set = new List<object?> { first };
            while (true)
            {
                SkipWhitespace();
                if (Peek == ',')
                {
                    _pos++;
                    SkipWhitespace();
                }
                if (Peek == '}')
                {
                    _pos++;
                    return set;
                }
                var item = ParseExpression();
                if (!set.Any(x => ValueEquality.Equal(x, item))) set.Add(item);
            }
        }

        private static string KeyString(object? key) => key is string s ? s : PythonRepr.Str(key);
    }
}
