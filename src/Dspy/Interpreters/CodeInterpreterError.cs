namespace Dspy;

/// <summary>
/// The sandbox stopped the program: it exceeded the time, memory, statement or recursion limit (see
/// <see cref="Limit"/>). The host is unaffected; the next execution starts from a fresh engine.
/// </summary>
public class CodeInterpreterError : Exception
{
    /// <summary>Creates the error.</summary>
    public CodeInterpreterError() { }

    /// <summary>Creates the error with a message.</summary>
    public CodeInterpreterError(string message) : base(message) { }

    /// <summary>Creates the error with a message and the engine's exception.</summary>
    public CodeInterpreterError(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the error for a violated limit.</summary>
    public CodeInterpreterError(SandboxLimit limit, string message, Exception? innerException = null) : base(message, innerException)
    {
        Limit = limit;
    }

    /// <summary>Which limit was exceeded.</summary>
    public SandboxLimit Limit { get; }
}

/// <summary>The sandbox limits of <see cref="JavaScriptInterpreter"/>.</summary>
public enum SandboxLimit
{
    /// <summary>Not a limit (another interpreter failure).</summary>
    None,

    /// <summary>The wall-clock time limit.</summary>
    Time,

    /// <summary>The memory (bytes allocated) limit, or a too-large array or string.</summary>
    Memory,

    /// <summary>The number of executed statements.</summary>
    Statements,

    /// <summary>The call depth.</summary>
    Recursion,
}
