namespace Dspy.Grains;

/// <summary>
/// A shard could not find its candidate program or an example (their grain's state was lost, e.g. memory storage on a
/// silo that died); the evaluator stores them again and retries.
/// </summary>
[GenerateSerializer, Alias("dspy.ShardInputMissingException")]
public sealed class ShardInputMissingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ShardInputMissingException() { }

    /// <summary>Creates the exception.</summary>
    public ShardInputMissingException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ShardInputMissingException(string message, Exception innerException) : base(message, innerException) { }
}
