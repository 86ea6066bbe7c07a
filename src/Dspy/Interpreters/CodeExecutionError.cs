namespace Dspy;

/// <summary>
/// DSPy's <c>CodeInterpreterError</c> counterpart for a program that failed on its own terms: it threw (an uncaught
/// <c>Error</c>, a <c>TypeError</c> from calling something that does not exist such as <c>require</c>), or it does not parse.
/// The message is what the LM sees when asked to fix its code.
/// </summary>
public class CodeExecutionError : Exception
{
    /// <summary>Creates the error.</summary>
    public CodeExecutionError() { }

    /// <summary>Creates the error with a message.</summary>
    public CodeExecutionError(string message) : base(message) { }

    /// <summary>Creates the error with a message and the engine's exception.</summary>
    public CodeExecutionError(string message, Exception innerException) : base(message, innerException) { }
}
