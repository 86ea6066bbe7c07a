using System.Globalization;
using System.Numerics;

namespace Dspy;

/// <summary>
/// Python's <c>round(x, ndigits)</c> for floats: the exact binary value is rounded to <c>ndigits</c> decimals with ties
/// to even, then converted back to the nearest double (so <c>round(2.675, 2)</c> is 2.67, since 2.675 is really
/// 2.67499999...). Also Python's <c>format(x, '.Nf')</c>, which rounds the same way.
/// </summary>
internal static class PythonRound
{
    public static double Round(double x, int ndigits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ndigits);
        if (double.IsNaN(x) || double.IsInfinity(x) || x == 0) return x;
        var q = RoundedScaled(x, ndigits);
        var text = BigInteger.Abs(q).ToString(CultureInfo.InvariantCulture) + "E-" + ndigits.ToString(CultureInfo.InvariantCulture);
        var result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return x < 0 ? -result : result;
    }

    /// <summary>Python's <c>f"{x:.{ndigits}f}"</c>.</summary>
    public static string Format(double x, int ndigits)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        var q = BigInteger.Abs(RoundedScaled(x, ndigits)).ToString(CultureInfo.InvariantCulture).PadLeft(ndigits + 1, '0');
        var sign = double.IsNegative(x) ? "-" : "";
        return ndigits == 0 ? sign + q : sign + q[..^ndigits] + "." + q[^ndigits..];
    }

    // round_half_even(|x| * 10^ndigits), computed exactly from the double's mantissa and exponent.
    private static BigInteger RoundedScaled(double x, int ndigits)
    {
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0) exponent = 1;
        else mantissa |= 1L << 52;
        var e = exponent - 1075; // |x| = mantissa * 2^e
        var numerator = new BigInteger(mantissa) * BigInteger.Pow(10, ndigits);
        if (e >= 0) return numerator << e;
        var denominator = BigInteger.One << -e;
        var q = BigInteger.DivRem(numerator, denominator, out var r);
        var twice = r * 2;
        if (twice > denominator || (twice == denominator && !q.IsEven)) q += 1;
        return q;
    }
}
