using System.Globalization;

namespace Dspy;

/// <summary>
/// Arithmetic patterns over the numbers of a question, named <c>a</c>, <c>b</c>, <c>c</c>, <c>d</c> in order of
/// appearance (<c>a * b - c</c>). Used for demo patterns ("solve it the way the similar demo was solved"), for
/// <c>compute</c> rules, and by the proposer to explain an answer.
/// </summary>
internal static class SimExpression
{
    /// <summary>Candidate patterns by number of operands, simplest first (ties between fitting patterns go to the earlier one).</summary>
    private static readonly string[][] Catalogue =
    [
        ["a"],
        ["a + b", "a - b", "a * b", "a / b", "b - a", "b / a"],
        ["a + b + c", "a * b - c", "a * b + c", "a - b + c", "a - b - c", "a + b - c", "(a + b) * c", "a * b * c",
         "(a - b) * c", "a * (b + c)", "a * (b - c)", "a + b * c", "a - b * c", "a * b / c", "(a + b) / c", "a / b + c", "c - a * b"],
        ["a + b + c + d", "a * b + c * d", "a * b - c * d", "a * b + c - d", "a + b - c - d", "a * b * c + d", "(a + b) * (c + d)", "a * b + c + d"],
    ];

    /// <summary>Patterns with exactly <paramref name="arity"/> operands.</summary>
    public static IReadOnlyList<string> Candidates(int arity) =>
        arity >= 1 && arity <= Catalogue.Length ? Catalogue[arity - 1] : [];

    /// <summary>The patterns that turn <paramref name="numbers"/> into <paramref name="answer"/>.</summary>
    public static List<string> Fit(IReadOnlyList<double> numbers, double answer) =>
        Candidates(numbers.Count).Where(e => TryEvaluate(e, numbers, out var v) && Math.Abs(v - answer) < 1e-6).ToList();

    /// <summary>A pattern that adds all numbers, the simulator's zero-knowledge guess.</summary>
    public static string SumAll(int arity) => arity <= 0 ? "0" : string.Join(" + ", Enumerable.Range(0, arity).Select(i => ((char)('a' + i)).ToString()));

    /// <summary>A pattern applying one operator across all numbers (<c>a - b - c</c>).</summary>
    public static string Chain(int arity, char op) => arity <= 0 ? "0" : string.Join($" {op} ", Enumerable.Range(0, arity).Select(i => ((char)('a' + i)).ToString()));

    /// <summary>Writes the pattern with the actual numbers (<c>4 * 6 - 3</c>).</summary>
    public static string Substitute(string expression, IReadOnlyList<double> numbers)
    {
        var chars = expression.Select(c => c is >= 'a' and <= 'z' && c - 'a' < numbers.Count ? SimText.FormatNumber(numbers[c - 'a']) : c.ToString());
        return string.Concat(chars);
    }

    /// <summary>Evaluates a pattern; false on a syntax error, a missing operand or division by zero.</summary>
    public static bool TryEvaluate(string expression, IReadOnlyList<double> numbers, out double value)
    {
        var parser = new Parser(expression, numbers);
        try
        {
            value = parser.ParseSum();
            parser.SkipSpaces();
            return parser.AtEnd && double.IsFinite(value);
        }
        catch (FormatException)
        {
            value = 0;
            return false;
        }
    }

    /// <summary>True if <paramref name="text"/> is a pattern the simulator can evaluate.</summary>
    public static bool LooksLikeExpression(string text) =>
        text.Length > 0 && text.All(c => c is >= 'a' and <= 'd' or ' ' or '+' or '-' or '*' or '/' or '(' or ')' or '.' or (>= '0' and <= '9'))
        && text.Any(c => c is >= 'a' and <= 'd');

    private sealed class Parser(string text, IReadOnlyList<double> numbers)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public void SkipSpaces()
        {
            while (_pos < text.Length && text[_pos] == ' ') _pos++;
        }

        public double ParseSum()
        {
            var v = ParseProduct();
            while (true)
            {
                SkipSpaces();
                if (AtEnd || (text[_pos] != '+' && text[_pos] != '-')) return v;
                var op = text[_pos++];
                var r = ParseProduct();
                v = op == '+' ? v + r : v - r;
            }
        }

        private double ParseProduct()
        {
            var v = ParseAtom();
            while (true)
            {
                SkipSpaces();
                if (AtEnd || (text[_pos] != '*' && text[_pos] != '/')) return v;
                var op = text[_pos++];
                var r = ParseAtom();
                if (op == '/' && r == 0) throw new FormatException("division by zero");
                v = op == '*' ? v * r : v / r;
            }
        }

        private double ParseAtom()
        {
            SkipSpaces();
            if (AtEnd) throw new FormatException("unexpected end");
            var c = text[_pos];
            if (c == '(')
            {
                _pos++;
                var v = ParseSum();
                SkipSpaces();
                if (AtEnd || text[_pos] != ')') throw new FormatException("missing )");
                _pos++;
                return v;
            }
            if (c == '-')
            {
                _pos++;
                return -ParseAtom();
            }
            if (c is >= 'a' and <= 'z')
            {
                _pos++;
                var i = c - 'a';
                if (i >= numbers.Count) throw new FormatException("missing operand");
                return numbers[i];
            }
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.')) _pos++;
            if (start == _pos) throw new FormatException("unexpected character");
            return double.Parse(text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }
}
