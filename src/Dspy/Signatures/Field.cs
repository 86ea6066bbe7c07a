namespace Dspy;

/// <summary>
/// One field of a <see cref="Signature"/>: DSPy's <c>InputField</c>/<c>OutputField</c> with its annotation.
/// Immutable; use <c>with</c> expressions to derive variations.
/// </summary>
public sealed record Field
{
    /// <summary>Creates a field. Description and prefix default as DSPy's do: <c>${name}</c> and <c>infer_prefix(name) + ":"</c>.</summary>
    public Field(string name, FieldKind kind, TypeSpec? type = null, string? description = null, string? prefix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Kind = kind;
        Type = type ?? TypeSpec.Str;
        Description = description ?? DefaultDescription(name);
        Prefix = prefix ?? SignatureNaming.InferPrefix(name) + ":";
    }

    /// <summary>Creates an input field.</summary>
    public static Field Input(string name, TypeSpec? type = null, string? description = null, string? prefix = null) =>
        new(name, FieldKind.Input, type, description, prefix);

    /// <summary>Creates an output field.</summary>
    public static Field Output(string name, TypeSpec? type = null, string? description = null, string? prefix = null) =>
        new(name, FieldKind.Output, type, description, prefix);

    /// <summary>The field's name as it appears in prompts (snake_case for C#-declared fields).</summary>
    public string Name { get; init; }

    /// <summary>Input or output.</summary>
    public FieldKind Kind { get; init; }

    /// <summary>The annotation.</summary>
    public TypeSpec Type { get; init; }

    /// <summary>DSPy's <c>desc</c>; <c>${name}</c> when not given, which adapters treat as empty.</summary>
    public string Description { get; init; }

    /// <summary>DSPy's <c>prefix</c>, e.g. <c>Question:</c>. Not used by adapters, but kept for COPRO and save files.</summary>
    public string Prefix { get; init; }

    /// <summary>Human-readable constraints (<c>minimum length: 5, maximum length: 10</c>), or null.</summary>
    public string? Constraints { get; init; }

    /// <summary>True if the field has a default value, which makes an output optional.</summary>
    public bool HasDefault { get; init; }

    /// <summary>The default value when <see cref="HasDefault"/> is set.</summary>
    public object? DefaultValue { get; init; }

    /// <summary>True for an input given without a type in a string signature (<c>IS_TYPE_UNDEFINED</c>).</summary>
    public bool IsTypeUndefined { get; init; }

    /// <summary>True for an input field.</summary>
    public bool IsInput => Kind == FieldKind.Input;

    /// <summary>True for an output field.</summary>
    public bool IsOutput => Kind == FieldKind.Output;

    /// <summary>True if the description is still DSPy's placeholder <c>${name}</c>.</summary>
    public bool HasDefaultDescription => Description == DefaultDescription(Name);

    /// <summary>The placeholder description DSPy gives a field with no <c>desc</c>.</summary>
    public static string DefaultDescription(string name) => "${" + name + "}";
}
