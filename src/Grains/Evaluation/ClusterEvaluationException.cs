namespace Dspy.Grains;

/// <summary>A cluster evaluation that could not complete; <see cref="Transient"/> when retrying later may succeed.</summary>
public sealed class ClusterEvaluationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterEvaluationException(string message, Exception innerException, bool transient) : base(message, innerException) => Transient = transient;

    /// <summary>Creates the exception.</summary>
    public ClusterEvaluationException() { }

    /// <summary>Creates the exception.</summary>
    public ClusterEvaluationException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ClusterEvaluationException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Whether the failure came from the cluster (a silo or the storage went away), not from the work.</summary>
    public bool Transient { get; }

    /// <summary>Whether an exception is a cluster failure that a retry can get past.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsTransient),
        ClusterEvaluationException c => c.Transient,
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException => true,
        Orleans.Storage.InconsistentStateException or StorageUnavailableException => true,
        _ => ex.GetType().Name is "ConnectionFailedException" or "GatewayTooBusyException",
    };
}
