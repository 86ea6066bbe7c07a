namespace Dspy;

public sealed partial class Signature
{
    /// <summary>
    /// Builds a signature from DSPy's string syntax, e.g. <c>"question, context: list[str] -> answer: float"</c>
    /// (DSPy's <c>Signature("...", instructions)</c> / <c>make_signature</c>). Untyped fields are <c>str</c>; untyped
    /// inputs are flagged <see cref="Field.IsTypeUndefined"/>. The signature is named <c>StringSignature</c>.
    /// </summary>
    /// <param name="text">The signature text with exactly one <c>-&gt;</c>.</param>
    /// <param name="instructions">The instructions; DSPy's default instructions when null.</param>
    /// <param name="customTypes">Extra type names for annotations (DSPy's <c>custom_types</c>): enums, records, classes.</param>
    /// <exception cref="ArgumentException">The text is malformed, a name repeats, or a type name is unknown (<c>Unknown name: X</c>).</exception>
    public static Signature Parse(string text, string? instructions = null, IReadOnlyDictionary<string, Type>? customTypes = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Signature(SignatureStringParser.Parse(text, customTypes), instructions);
    }

    /// <summary>Parses a type annotation as written in a string signature, e.g. <c>dict[str, list[int]]</c>.</summary>
    /// <exception cref="ArgumentException">The annotation is malformed or names an unknown type.</exception>
    public static TypeSpec ParseType(string annotation, IReadOnlyDictionary<string, Type>? customTypes = null)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        return TypeAnnotationParser.Parse(annotation, customTypes);
    }

    /// <summary>The same as <see cref="Parse"/> with no instructions; the named alternative of the implicit conversion.</summary>
    public static Signature FromString(string text) => Parse(text);

    /// <summary>Lets a signature string stand wherever a <see cref="Signature"/> is expected, as DSPy modules accept strings.</summary>
    public static implicit operator Signature(string text) => Parse(text);

    /// <summary>
    /// DSPy's <c>ensure_signature(signature, instructions=None)</c>: a string is parsed (with the instructions), a
    /// <see cref="Signature"/> is returned as it is, a <see cref="Type"/> is read with <see cref="FromType(Type)"/>,
    /// and null stays null.
    /// </summary>
    /// <exception cref="ArgumentException">Instructions were given together with an existing signature, or the value is of another kind.</exception>
    public static Signature? EnsureSignature(object? signature, string? instructions = null)
    {
        switch (signature)
        {
            case null: return null;
            case string s: return Parse(s, instructions);
            case Signature or Type when instructions is not null:
                throw new ArgumentException("Don't specify instructions when initializing with a Signature");
            case Signature sig: return sig;
            case Type t: return FromType(t);
            default:
                throw new ArgumentException($"Expected a signature string, a Signature or a signature type, but received {signature.GetType().Name}.", nameof(signature));
        }
    }
}
