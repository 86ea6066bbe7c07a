using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>The lexical part of the annotation parser: strings, numbers, identifiers and punctuation.</summary>
internal sealed partial class TypeAnnotationParser
{
    private string ReadString()
    {
        var quote = _text[_pos++];
        var sb = new StringBuilder();
        while (_pos < _text.Length && _text[_pos] != quote)
        {
            var c = _text[_pos++];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_pos >= _text.Length) break;
            var e = _text[_pos++];
            sb.Append(e switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                _ => e, // \\, \', \" and unknown escapes keep the escaped character
            });
        }
        if (_pos >= _text.Length) throw Syntax("unterminated string literal");
        _pos++;
        return sb.ToString();
    }

    // A Python int (decimal, 0x, 0o or 0b, with `_` separators) or float literal.
    private object ReadNumber()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.'
            || (_text[_pos] is '+' or '-' && _pos > start && _text[_pos - 1] is 'e' or 'E' && !IsPrefixedInt(_text[start.._pos]))))
        {
            _pos++;
        }
        var raw = _text[start.._pos];
        var digits = raw.Replace("_", "", StringComparison.Ordinal);
        if (IsPrefixedInt(raw))
        {
            var radix = char.ToLowerInvariant(raw[1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            var value = 0L;
            foreach (var ch in digits[2..])
            {
                var d = Convert.ToInt32(ch.ToString(), 16);
                if (d >= radix || digits.Length == 2) throw NotAConstant(raw);
                value = checked(value * radix + d);
            }
            return value;
        }
        if (digits.All(char.IsAsciiDigit))
        {
            if (digits.Length > 1 && digits[0] == '0' && digits.Any(ch => ch != '0')) throw NotAConstant(raw);
            return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        if (!raw.Contains("__", StringComparison.Ordinal) && !raw.EndsWith('_')
            && double.TryParse(digits, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var f))
        {
            return f;
        }
        throw NotAConstant(raw);
    }

    private static bool IsPrefixedInt(string raw) => raw.Length >= 2 && raw[0] == '0' && char.ToLowerInvariant(raw[1]) is 'x' or 'o' or 'b';

    private ArgumentException NotAConstant(string raw) =>
        new($"Invalid type annotation '{_text.Trim()}': '{raw}' is not a supported constant (integers, floats, strings, booleans and None are).");

    private string ReadIdentifier()
    {
        var start = _pos;
        while (_pos < _text.Length && IsIdentifierPart(_text[_pos])) _pos++;
        return _text[start.._pos];
    }

    internal static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    internal static bool IsIdentifierPart(char c) => c == '_' || char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private bool Peek(char c) => _pos < _text.Length && _text[_pos] == c;

    private bool TryConsume(char c)
    {
        SkipSpace();
        if (!Peek(c)) return false;
        _pos++;
        return true;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c)) throw Syntax($"expected '{c}'");
    }

    private ArgumentException Syntax(string what) => new($"Invalid type annotation '{_text.Trim()}': {what}.");
}
