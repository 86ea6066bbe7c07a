namespace Dspy;

/// <summary>Validation entry points of the DSPy custom types, keyed by CLR type.</summary>
public static class DspyTypes
{
    /// <summary>Parses <paramref name="value"/> into the custom type <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">The value has no valid shape for the type.</exception>
    public static object Validate(Type type, object? value)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type == typeof(Image)) return Image.Validate(value);
        if (type == typeof(ToolCalls)) return ToolCalls.Validate(value);
        if (type == typeof(Code)) return Code.Validate(value);
        if (type == typeof(History)) return History.Validate(value);
        throw new ArgumentException($"{type.Name} is not a DSPy custom type.", nameof(type));
    }

    /// <summary>DSPy's <c>description()</c> of the custom types in an annotation, outermost first, as (type name, description) pairs with a non-empty description.</summary>
    public static IEnumerable<(string Name, string Description)> DescriptionsIn(TypeSpec type)
    {
        ArgumentNullException.ThrowIfNull(type);
        switch (type.Kind)
        {
            case TypeKind.ToolCalls:
                yield return ("ToolCalls", ToolCalls.TypeDescription);
                yield break;
            case TypeKind.Code:
                yield return (type.PythonName, Code.Description(type.Name ?? "python"));
                yield break;
        }
        foreach (var arg in type.Args)
        {
            foreach (var d in DescriptionsIn(arg)) yield return d;
        }
    }
}
