namespace Dspy;

/// <summary>Whether a signature field is an input or an output (DSPy's <c>__dspy_field_type</c>).</summary>
public enum FieldKind
{
    /// <summary>An <c>InputField</c>.</summary>
    Input,

    /// <summary>An <c>OutputField</c>.</summary>
    Output,
}
