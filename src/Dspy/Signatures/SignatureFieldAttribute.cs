namespace Dspy;

/// <summary>
/// Common base of <see cref="InputFieldAttribute"/> and <see cref="OutputFieldAttribute"/>: DSPy's
/// <c>InputField(desc=..., prefix=...)</c> metadata on a property of a C#-typed signature.
/// </summary>
public abstract class SignatureFieldAttribute : Attribute
{
    /// <summary>DSPy's <c>desc</c>: a description shown to the LM. Defaults to the placeholder <c>${name}</c>.</summary>
    public string? Desc { get; set; }

    /// <summary>DSPy's deprecated <c>prefix</c>, kept for COPRO and save files. Defaults to <c>infer_prefix(name) + ":"</c>.</summary>
    public string? Prefix { get; set; }

    /// <summary>Overrides the field name (otherwise the snake_case form of the member name).</summary>
    public string? Name { get; set; }

    /// <summary>The kind of field this attribute declares.</summary>
    public abstract FieldKind Kind { get; }
}

/// <summary>Marks a property (or a record's positional parameter) as an input field of a C#-typed signature.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class InputFieldAttribute : SignatureFieldAttribute
{
    /// <inheritdoc/>
    public override FieldKind Kind => FieldKind.Input;
}

/// <summary>Marks a property (or a record's positional parameter) as an output field of a C#-typed signature.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class OutputFieldAttribute : SignatureFieldAttribute
{
    private object? _default;

    /// <inheritdoc/>
    public override FieldKind Kind => FieldKind.Output;

    /// <summary>A default value (DSPy's <c>default=</c>), which makes the output optional. Setting it, even to null, counts.</summary>
    public object? Default
    {
        get => _default;
        set
        {
            _default = value;
            HasDefault = true;
        }
    }

    /// <summary>True if <see cref="Default"/> was set.</summary>
    public bool HasDefault { get; private set; }
}

/// <summary>The instructions (DSPy: the class docstring) of a C#-typed signature. Indentation is cleaned as <c>inspect.cleandoc</c> does.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = true)]
public sealed class InstructionsAttribute(string text) : Attribute
{
    /// <summary>The instruction text.</summary>
    public string Text { get; } = text;
}
