namespace Dspy.Silo;

/// <summary>How the silo joins a cluster.</summary>
public enum ClusterMode
{
    /// <summary>One silo on this machine: localhost clustering, memory grain storage, LM cache under a local folder.</summary>
    Embedded,

    /// <summary>Azure Table storage for clustering, grain state and reminders: several silos (processes or machines) form one cluster.</summary>
    Azure,
}

/// <summary>The silo's cluster options (configuration section <c>Dspy:Cluster</c>; environment <c>Dspy__Cluster__Mode=Azure</c> etc.).</summary>
public sealed class DspyClusterOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Dspy:Cluster";

    /// <summary>Embedded (default) or Azure.</summary>
    public ClusterMode Mode { get; set; } = ClusterMode.Embedded;

    /// <summary>The Azure Storage connection string (Azure mode); also read from <c>ConnectionStrings:AzureStorage</c>.</summary>
    public string? AzureStorageConnectionString { get; set; }

    /// <summary>Orleans' cluster id (silos and clients of one cluster share it).</summary>
    public string ClusterId { get; set; } = "dspy";

    /// <summary>Orleans' service id (grain state is keyed by it: keep it stable across deployments).</summary>
    public string ServiceId { get; set; } = "dspy";

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The folder for the LM disk cache in embedded mode (null: DSPy's default, <c>~/.dspy_cache</c>).</summary>
    public string? DataFolder { get; set; }

    /// <summary>Checks the options; the message names the setting to fix.</summary>
    /// <exception cref="ArgumentException">A value is missing or invalid.</exception>
    public void Validate()
    {
        if (Mode == ClusterMode.Azure && string.IsNullOrWhiteSpace(AzureStorageConnectionString))
        {
            throw new ArgumentException("Dspy:Cluster:Mode is Azure but no connection string is set: set Dspy:Cluster:AzureStorageConnectionString or ConnectionStrings:AzureStorage.");
        }
        if (string.IsNullOrWhiteSpace(ClusterId)) throw new ArgumentException("Dspy:Cluster:ClusterId must not be empty.");
        if (string.IsNullOrWhiteSpace(ServiceId)) throw new ArgumentException("Dspy:Cluster:ServiceId must not be empty.");
        if (SiloPort is < 1 or > 65535) throw new ArgumentException($"Dspy:Cluster:SiloPort {SiloPort} is not a TCP port.");
        if (GatewayPort is < 1 or > 65535 || GatewayPort == SiloPort) throw new ArgumentException($"Dspy:Cluster:GatewayPort {GatewayPort} must be a TCP port other than the silo port.");
    }
}
