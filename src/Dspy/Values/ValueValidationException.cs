namespace Dspy;

/// <summary>
/// A value does not fit its annotation (DSPy: a pydantic <c>ValidationError</c> or <c>ValueError</c> raised by
/// <c>parse_value</c>). The message reads like pydantic's.
/// </summary>
public sealed class ValueValidationException : FormatException
{
    /// <summary>Creates the error.</summary>
    public ValueValidationException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }

    /// <summary>The pydantic minor version named in error links, as DSPy 3.3.1 installs it.</summary>
    public const string PydanticVersion = "2.13";

    /// <summary>A pydantic-style message: <c>1 validation error for int\n  Input should be ... [type=..., input_value=..., input_type=...]</c>.</summary>
    public static ValueValidationException For(TypeSpec type, string error, string code, object? input)
    {
        ArgumentNullException.ThrowIfNull(type);
        return new ValueValidationException(
            $"1 validation error for {type.PythonName}\n  {error} [type={code}, input_value={PythonRepr.Repr(input)}, input_type={PythonTypeName(input)}]\n"
            + $"    For further information visit https://errors.pydantic.dev/{PydanticVersion}/v/{code}");
    }

    /// <summary>Python's <c>type(x).__name__</c> for a value-model value.</summary>
    public static string PythonTypeName(object? v) => v switch
    {
        null => "NoneType",
        string => "str",
        bool => "bool",
        long or int or System.Numerics.BigInteger => "int",
        double or float => "float",
        System.Collections.IDictionary => "dict",
        System.Collections.IList => "list",
        _ => v.GetType().Name,
    };
}
