namespace Dspy;

/// <summary>
/// ReAct's trajectory overflowed the context window and cannot be truncated further (DSPy raises a <c>ValueError</c>).
/// </summary>
public sealed class TrajectoryTruncationException : DspyException
{
    /// <summary>Creates the error.</summary>
    public TrajectoryTruncationException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
