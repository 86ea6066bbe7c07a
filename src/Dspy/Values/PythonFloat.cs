using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, fixed notation for exponents -4..16, and a trailing <c>.0</c> on whole numbers.</summary>
public static class PythonFloat
{
    /// <summary>Formats a double as Python's <c>repr</c> does: <c>100.0</c>, <c>0.1</c>, <c>1e-07</c>, <c>1e+16</c>, <c>inf</c>, <c>nan</c>.</summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // .NET's "R" gives the shortest round-trip digits; re-layout them with Python's rules, on the stack.
        Span<char> shortest = stackalloc char[32];
        value.TryFormat(shortest, out var written, "R", CultureInfo.InvariantCulture);
        Span<char> digits = stackalloc char[32];
        var (negative, digitCount, decpt) = Decompose(shortest[..written], digits);
        digits = digits[..digitCount];

        Span<char> result = stackalloc char[64];
        var n = 0;
        if (negative) result[n++] = '-';
        if (decpt <= -4 || decpt > 16)
        {
            result[n++] = digits[0];
            if (digits.Length > 1)
            {
                result[n++] = '.';
                digits[1..].CopyTo(result[n..]);
                n += digits.Length - 1;
            }
            var exp = decpt - 1;
            result[n++] = 'e';
            result[n++] = exp < 0 ? '-' : '+';
            Math.Abs(exp).TryFormat(result[n..], out var expWritten, "00", CultureInfo.InvariantCulture);
            n += expWritten;
        }
        else if (decpt <= 0)
        {
            result[n++] = '0';
            result[n++] = '.';
            result.Slice(n, -decpt).Fill('0');
            n += -decpt;
            digits.CopyTo(result[n..]);
            n += digits.Length;
        }
        else if (decpt >= digits.Length)
        {
            digits.CopyTo(result[n..]);
            n += digits.Length;
            result.Slice(n, decpt - digits.Length).Fill('0');
            n += decpt - digits.Length;
            result[n++] = '.';
            result[n++] = '0';
        }
        else
        {
            digits[..decpt].CopyTo(result[n..]);
            n += decpt;
            result[n++] = '.';
            digits[decpt..].CopyTo(result[n..]);
            n += digits.Length - decpt;
        }
        return new string(result[..n]);
    }

    /// <summary>
    /// Splits a .NET round-trip string into sign, significant digits (no leading or trailing zeros, written to
    /// <paramref name="digits"/>) and the decimal point position, so that value = 0.DIGITS x 10^decpt.
    /// </summary>
    private static (bool Negative, int DigitCount, int DecPt) Decompose(ReadOnlySpan<char> s, Span<char> digits)
    {
        var negative = s.Length > 0 && s[0] == '-';
        if (negative) s = s[1..];
        var exp = 0;
        var e = s.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exp = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }
        var dot = s.IndexOf('.');
        var intLength = dot >= 0 ? dot : s.Length;
        var count = 0;
        var decpt = intLength + exp;
        var leading = true;
        foreach (var c in s)
        {
            if (c == '.') continue;
            if (leading && c == '0')
            {
                decpt--;
                continue;
            }
            leading = false;
            digits[count++] = c;
        }
        while (count > 1 && digits[count - 1] == '0') count--;
        if (count == 0)
        {
            digits[0] = '0';
            count = 1;
        }
        return (negative, count, decpt);
    }
}
