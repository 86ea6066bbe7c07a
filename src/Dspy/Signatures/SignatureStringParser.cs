namespace Dspy;

/// <summary>
/// Splits DSPy's string signature syntax <c>"question, context: list[str] -> answer: float"</c> into fields.
/// Each side is read like a Python parameter list (DSPy parses <c>def f(&lt;side&gt;): pass</c>), so names must be
/// identifiers and a trailing comma is allowed; a name repeated within a side is one field (its last type).
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

    // Field names DSPy 3.3.1 cannot build a signature class with (checked against DSPy with pydantic 2.13).
    private static readonly HashSet<string> ReservedNames = new(StringComparer.Ordinal)
    {
        "fields", "input_fields", "output_fields", "instructions", "signature", "model_config", "model_dump", "model_dump_json",
        "model_validate", "model_validate_json", "model_validate_strings",
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

        foreach (var name in inputs.Concat(outputs).Select(f => f.Name))
        {
            // DSPy signatures are pydantic models: pydantic refuses private-looking names, and names that shadow the
            // signature's own members (or pydantic's model_dump/model_validate family) fail when the class is built.
            if (name.StartsWith('_'))
            {
                throw new ArgumentException($"Fields must not use names with leading underscores; e.g., use '{(name.TrimStart('_').Length > 0 ? name.TrimStart('_') : "my_field")}' instead of '{name}'.");
            }
            if (ReservedNames.Contains(name))
            {
                throw new ArgumentException($"Field name '{name}' is reserved: it shadows a member of DSPy's Signature or of pydantic's BaseModel.");
            }
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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // DSPy keeps only `ast.arguments.args`: parameters before a `/` are positional-only and parameters after
        // `*`, `*args` or `**kwargs` are keyword-only or variadic, so Python parses them but they are not fields.
        var keywordOnly = false;
        var sawDefault = false;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                // `def f()` and `def f(a,)` are valid; an empty item anywhere else is a syntax error.
                if (parts.Count == 1 || (i == parts.Count - 1 && i > 0)) continue;
                throw new ArgumentException($"Invalid signature field list '{side.Trim()}': invalid syntax.");
            }
            if (part == "/")
            {
                if (keywordOnly || result.Count == 0 && seen.Count == 0) throw new ArgumentException($"Invalid signature field list '{side.Trim()}': invalid syntax.");
                result.Clear();
                continue;
            }
            var star = part.StartsWith("**", StringComparison.Ordinal) ? 2 : part.StartsWith('*') ? 1 : 0;
            if (star == 1 && part.Length == 1)
            {
                if (keywordOnly || i == parts.Count - 1) throw new ArgumentException($"Invalid signature field list '{side.Trim()}': named arguments must follow bare *.");
                keywordOnly = true;
                continue;
            }
            var equals = IndexOfTopLevel(part, '=');
            var hasDefault = equals >= 0;
            var declaration = hasDefault ? part[..equals] : part;
            if (hasDefault && (star > 0 || part[(equals + 1)..].Trim().Length == 0))
            {
                throw new ArgumentException($"Invalid signature field list '{side.Trim()}': invalid syntax.");
            }
            var colon = declaration.IndexOf(':', StringComparison.Ordinal);
            var name = (colon < 0 ? declaration : declaration[..colon])[star..].Trim();
            ValidateName(name, side);
            seen.Add(name);
            TypeSpec? type = null;
            if (colon >= 0)
            {
                var annotation = declaration[(colon + 1)..];
                if (annotation.Trim().Length == 0) throw new ArgumentException($"Invalid signature field '{part}': missing type after ':'.");
                // The annotation of a `*args` or keyword-only parameter is never read by DSPy, but must still be valid Python.
                type = TypeAnnotationParser.ParseField(annotation, customTypes);
            }
            if (star > 0)
            {
                if (keywordOnly && star == 1) throw new ArgumentException($"Invalid signature field list '{side.Trim()}': * argument may appear only once.");
                keywordOnly = true;
                if (star == 2 && i < parts.Count - 1 && parts[(i + 1)..].Any(p => p.Trim().Length > 0))
                {
                    throw new ArgumentException($"Invalid signature field list '{side.Trim()}': arguments cannot follow var-keyword argument.");
                }
                continue;
            }
            if (keywordOnly) continue;
            if (sawDefault && !hasDefault)
            {
                throw new ArgumentException($"Invalid signature field list '{side.Trim()}': non-default argument follows default argument.");
            }
            sawDefault |= hasDefault;
            // Python's parser accepts a repeated parameter name (only the compiler rejects it), and DSPy collects the
            // fields into a dict: the field keeps its first position and takes the last declaration's type.
            var existing = result.FindIndex(r => r.Name == name);
            if (existing >= 0) result[existing] = new ParsedField(name, type);
            else result.Add(new ParsedField(name, type));
        }
        return result;
    }

    // The first `c` outside brackets and string literals, or -1.
    private static int IndexOfTopLevel(string text, char c)
    {
        var depth = 0;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quote is not null)
            {
                if (ch == '\\') i++;
                else if (ch == quote) quote = null;
                continue;
            }
            if (ch is '"' or '\'') quote = ch;
            else if (ch is '[' or '(' or '{') depth++;
            else if (ch is ']' or ')' or '}') depth--;
            else if (ch == c && depth == 0) return i;
        }
        return -1;
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
