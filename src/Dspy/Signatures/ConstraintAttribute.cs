namespace Dspy;

/// <summary>
/// pydantic-style field constraints (<c>gt</c>, <c>ge</c>, <c>lt</c>, <c>le</c>, <c>min_length</c>, <c>max_length</c>,
/// <c>multiple_of</c>, <c>allow_inf_nan</c>) on a signature field. DSPy shows them to the LM as text such as
/// <c>greater than or equal to: 0, less than or equal to: 10</c>, in the order they are written.
/// Numbers render as Python would: <c>Ge = 0</c> gives <c>0</c>, <c>Ge = 0.5</c> gives <c>0.5</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class ConstraintAttribute : Attribute
{
    /// <summary>pydantic <c>gt</c>.</summary>
    public object? Gt { get; set; }

    /// <summary>pydantic <c>ge</c>.</summary>
    public object? Ge { get; set; }

    /// <summary>pydantic <c>lt</c>.</summary>
    public object? Lt { get; set; }

    /// <summary>pydantic <c>le</c>.</summary>
    public object? Le { get; set; }

    /// <summary>pydantic <c>min_length</c>.</summary>
    public int MinLength { get; set; }

    /// <summary>pydantic <c>max_length</c>.</summary>
    public int MaxLength { get; set; }

    /// <summary>pydantic <c>multiple_of</c>.</summary>
    public object? MultipleOf { get; set; }

    /// <summary>pydantic <c>allow_inf_nan</c>.</summary>
    public bool AllowInfNan { get; set; }
}
