using Orleans.Runtime;

namespace Dspy.Grains;

/// <summary>
/// A grain could not read or write its state or one of its blobs: the storage failed (an outage, throttling, a timed-out
/// write) or went away with a stopping silo. It says nothing about the work itself, so callers treat it as transient and
/// retry. An <see cref="OrleansException"/>, so Orleans' state bridge passes it to the grain as it is rather than wrapping
/// it in a generic one.
/// </summary>
[GenerateSerializer, Alias("dspy.StorageUnavailableException")]
public sealed class StorageUnavailableException : OrleansException
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException() { }

    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
