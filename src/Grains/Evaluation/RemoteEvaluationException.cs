namespace Dspy.Grains;

/// <summary>An example that failed on a silo: the program's or metric's exception, by type name and message.</summary>
public sealed class RemoteEvaluationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteEvaluationException(string errorType, string message) : base($"{errorType}: {message}") => ErrorType = errorType;

    /// <summary>Creates an exception with no type.</summary>
    public RemoteEvaluationException() : this("Exception", "") { }

    /// <summary>Creates an exception with a message.</summary>
    public RemoteEvaluationException(string message) : this("Exception", message) { }

    /// <summary>Creates an exception with a message and cause.</summary>
    public RemoteEvaluationException(string message, Exception innerException) : base(message, innerException) => ErrorType = "Exception";

    /// <summary>The original exception's type name.</summary>
    public string ErrorType { get; }
}
