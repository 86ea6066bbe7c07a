using System.Globalization;

namespace Dspy.Samples.Agent;

/// <summary>
/// The agent's calculator: evaluates + - * / with parentheses, unary minus and decimal numbers, by recursive descent.
/// Anything else is a <see cref="FormatException"/> that names the position, which ReAct shows the LM as the observation.
/// </summary>
public static class Calculator
{
    /// <summary>The value of <paramref name="expression"/>.</summary>
    public static double Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parser = new Parser(expression);
        var value = parser.Sum();
        parser.SkipSpaces();
        if (!parser.AtEnd) throw new FormatException($"unexpected '{expression[parser.Position]}' at position {parser.Position} in '{expression}'");
        if (double.IsInfinity(value) || double.IsNaN(value)) throw new FormatException($"'{expression}' has no finite value (division by zero?)");
        return value;
    }

    /// <summary>The value as the calculator tool reports it: shortest round-trip form, no exponent for ordinary numbers.</summary>
    public static string Format(double value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    private sealed class Parser(string text)
    {
        public int Position { get; private set; }

        public bool AtEnd => Position >= text.Length;

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position])) Position++;
        }

        public double Sum()
        {
            var value = Product();
            while (true)
            {
                SkipSpaces();
                if (AtEnd || (text[Position] != '+' && text[Position] != '-')) return value;
                var op = text[Position++];
                var right = Product();
                value = op == '+' ? value + right : value - right;
            }
        }

        private double Product()
        {
            var value = Unary();
            while (true)
            {
                SkipSpaces();
                if (AtEnd || (text[Position] != '*' && text[Position] != '/' && text[Position] != 'x' && text[Position] != '×')) return value;
                var op = text[Position++];
                var right = Unary();
                value = op == '/' ? value / right : value * right;
            }
        }

        private double Unary()
        {
            SkipSpaces();
            if (!AtEnd && text[Position] == '-')
            {
                Position++;
                return -Unary();
            }
            return Atom();
        }

        private double Atom()
        {
            SkipSpaces();
            if (AtEnd) throw new FormatException($"'{text}' ends where a number was expected");
            if (text[Position] == '(')
            {
                Position++;
                var value = Sum();
                SkipSpaces();
                if (AtEnd || text[Position] != ')') throw new FormatException($"missing ')' at position {Position} in '{text}'");
                Position++;
                return value;
            }
            var start = Position;
            while (!AtEnd && (char.IsAsciiDigit(text[Position]) || text[Position] == '.' || text[Position] == ',')) Position++;
            var token = text[start..Position].Replace(",", "", StringComparison.Ordinal);
            if (token.Length == 0 || !double.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                throw new FormatException($"expected a number at position {start} in '{text}'");
            }
            return number;
        }
    }
}
