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

        // .NET's "R" gives the shortest round-trip digits; re-layout them with Python's rules.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var (negative, digits, decpt) = Decompose(shortest);

        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            var exp = decpt - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt >= digits.Length)
        {
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Splits a .NET round-trip string into sign, significant digits (no leading/trailing zeros) and the
    /// decimal point position, so that value = 0.DIGITS x 10^decpt.
    /// </summary>
    private static (bool Negative, string Digits, int DecPt) Decompose(string s)
    {
        var negative = s.StartsWith('-');
        if (negative) s = s[1..];
        var exp = 0;
        var e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? s[..dot] : s;
        var fracPart = dot >= 0 ? s[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var decpt = intPart.Length + exp;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
            decpt--;
        }
        var digits = all[lead..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        return (negative, digits, decpt);
    }
}
