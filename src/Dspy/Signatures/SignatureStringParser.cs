namespace Dspy;

/// <summary>
/// Splits DSPy's string signature syntax <c>"question, context: list[str] -> answer: float"</c> into fields.
/// Each side is read like a Python parameter list (DSPy parses <c>def f(&lt;side&gt;): pass</c>), so names must be
/// identifiers, a trailing comma is allowed and a name may not repeat within a side.
/// </summary>
internal static class SignatureStringParser
{
    // Python keywords cannot be parameter names.
    private static readonly HashSet<string> PythonKeywords = new(StringComparer.Ordinal)
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    };

    /// <summary>Parses the text into input and output fields in order.</summary>
    public static List<Field> Parse(string text, IReadOnlyDictionary<string, Type>? customTypes)
    {
        ArgumentNullException.ThrowIfNull(text);
        var arrow = text.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0 || text.IndexOf("->", arrow + 2, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException($"Invalid signature format: '{text}', must contain exactly one '->'.");
        }

        var inputs = ParseSide(text[..arrow], customTypes);
        var outputs = ParseSide(text[(arrow + 2)..], customTypes);
        var outputNames = outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var duplicates = inputs.Select(i => i.Name).Where(outputNames.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException(
                $"Input and output fields must have distinct names, but found duplicates: '{string.Join(", ", duplicates)}'.");
        }

        var fields = new List<Field>(inputs.Count + outputs.Count);
        fields.AddRange(inputs.Select(p => Field.Input(p.Name, p.Type) with { IsTypeUndefined = p.Type is null }));
        fields.AddRange(outputs.Select(p => Field.Output(p.Name, p.Type)));
        return fields;
    }

    private readonly record struct ParsedField(string Name, TypeSpec? Type);

    private static List<ParsedField> ParseSide(string side, IReadOnlyDictionary<string, Type>? customTypes)
    {
        var parts = SplitTopLevel(side);
        var result = new List<ParsedField>();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                // `def f()` and `def f(a,)` are valid; an empty item anywhere else is a syntax error.
                if (parts.Count == 1 || (i == parts.Count - 1 && i > 0)) continue;
                throw new ArgumentException($"Invalid signature field list '{side.Trim()}': invalid syntax.");
            }
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var name = (colon < 0 ? part : part[..colon]).Trim();
            ValidateName(name, side);
            if (result.Any(r => r.Name == name))
            {
                throw new ArgumentException($"Invalid signature field list '{side.Trim()}': duplicate argument '{name}' in function definition.");
            }
            TypeSpec? type = null;
            if (colon >= 0)
            {
                var annotation = part[(colon + 1)..];
                if (annotation.Trim().Length == 0) throw new ArgumentException($"Invalid signature field '{part}': missing type after ':'.");
                type = TypeAnnotationParser.Parse(annotation, customTypes);
            }
            result.Add(new ParsedField(name, type));
        }
        return result;
    }

    private static void ValidateName(string name, string side)
    {
        var valid = name.Length > 0 && TypeAnnotationParser.IsIdentifierStart(name[0]) && name.All(TypeAnnotationParser.IsIdentifierPart)
            && !PythonKeywords.Contains(name);
        if (!valid)
        {
            throw new ArgumentException($"Invalid signature field list '{side.Trim()}': '{name}' is not a valid field name.");
        }
    }

    /// <summary>Splits on commas outside brackets, parentheses and string literals.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
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
                case '[' or '(' or '{': depth++; break;
                case ']' or ')' or '}': depth--; break;
                case ',' when depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }
}
