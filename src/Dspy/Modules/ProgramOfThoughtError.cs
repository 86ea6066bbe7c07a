namespace Dspy;

/// <summary>
/// DSPy's <c>RuntimeError("Max hops reached. Failed to run ProgramOfThought: ...")</c>: every code attempt of a
/// <see cref="ProgramOfThought"/> (or <c>CodeAct</c>) failed; the message ends with the last error.
/// </summary>
public class ProgramOfThoughtError : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public ProgramOfThoughtError() { }

    /// <summary>Creates the error with a message.</summary>
    public ProgramOfThoughtError(string message) : base(message) { }

    /// <summary>Creates the error with a message and a cause.</summary>
    public ProgramOfThoughtError(string message, Exception innerException) : base(message, innerException) { }
}
