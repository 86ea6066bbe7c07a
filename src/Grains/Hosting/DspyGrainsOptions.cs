namespace Dspy.Grains;

/// <summary>Where the grains keep their state.</summary>
public enum GrainStateStore
{
    /// <summary>In the silo's memory (embedded mode and tests): lost when the silo stops.</summary>
    Memory,

    /// <summary>Azure Table storage (or Azurite) by connection string: survives silo and cluster restarts.</summary>
    AzureTable,
}

/// <summary>Options of the grains on a silo (<see cref="DspySiloBuilderExtensions.AddDspyGrains"/>).</summary>
public sealed partial class DspyGrainsOptions
{
    /// <summary>Where grain state and reminders are kept.</summary>
    public GrainStateStore Store { get; set; } = GrainStateStore.Memory;

    /// <summary>The Azure Storage connection string (required with <see cref="GrainStateStore.AzureTable"/>).</summary>
    public string? AzureStorageConnectionString { get; set; }

    /// <summary>The table holding grain state (a per-deployment name keeps test runs apart).</summary>
    public string GrainStateTable { get; set; } = "DspyGrainState";

    /// <summary>The LM model the silo runs programs with (e.g. <c>sim</c>, <c>openai/gpt-4o-mini</c>).</summary>
    public string LmModel { get; set; } = "sim";

    /// <summary>The LM's base URL for OpenAI-compatible servers (e.g. <c>dspy sim serve</c>); null for the provider default.</summary>
    public string? LmApiBase { get; set; }

    /// <summary>The LM's API key (null: the provider's environment variable).</summary>
    public string? LmApiKey { get; set; }

    /// <summary>
    /// The endpoint's requests per <see cref="LmWindow"/>; with any endpoint limit set, every silo's LM calls go
    /// through the endpoint's permit broker (<see cref="ILmGatewayGrain"/>).
    /// </summary>
    public int? LmRequestsPerWindow { get; set; }

    /// <summary>The endpoint's tokens per <see cref="LmWindow"/>.</summary>
    public long? LmTokensPerWindow { get; set; }

    /// <summary>The endpoint's requests in flight across the cluster.</summary>
    public int? LmMaxInFlight { get; set; }

    /// <summary>The endpoint's rate window (providers: one minute).</summary>
    public TimeSpan LmWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The broker's key (provider + model + credential scope); null means the model and base URL.</summary>
    public string? LmEndpointKey { get; set; }

    /// <summary>The endpoint limits, or null when none is set (no broker).</summary>
    public EndpointLimits? EndpointLimits => LmRequestsPerWindow is null && LmTokensPerWindow is null && LmMaxInFlight is null
        ? null
        : new EndpointLimits { RequestsPerWindow = LmRequestsPerWindow, TokensPerWindow = LmTokensPerWindow, MaxInFlight = LmMaxInFlight, Window = LmWindow };

    /// <summary>
    /// LM quotas by tenant id (<c>Dspy:Grains:TenantQuotas:acme:RequestsPerWindow</c> ...), taken before the endpoint's
    /// permit for work carrying that tenant (<see cref="TenantContext"/>); tenants not listed have no quota.
    /// </summary>
    public Dictionary<string, TenantQuota> TenantQuotas { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Use DSPy's request cache for the silo's LM.</summary>
    public bool LmCache { get; set; } = true;

    /// <summary>Examples a shard runs at once unless a request says otherwise.</summary>
    public int NumThreads { get; set; } = 8;

    /// <summary>
    /// A ready LM for the silo (tests and self-hosted silos with their own pipeline); when set, <see cref="LmModel"/>,
    /// <see cref="LmApiBase"/> and <see cref="LmCache"/> are not used.
    /// </summary>
    public BaseLM? Lm { get; set; }

    /// <summary>
    /// Builds the other models a run names (<c>--prompt-lm</c>) when <see cref="Lm"/> is set, so they get the host's
    /// settings (base URL, cache); null builds a plain <see cref="LM"/>.
    /// </summary>
    public Func<string, BaseLM>? LmFactory { get; set; }

    /// <summary>
    /// Wraps the evaluator of each compile run (run id, the cluster evaluator), e.g. with a run folder's evaluation store
    /// (<c>MemoizingProgramEvaluator</c>) in an embedded silo; null runs the cluster evaluator as it is.
    /// </summary>
    public Func<string, IProgramEvaluator, IProgramEvaluator>? RunEvaluator { get; set; }

    /// <summary>
    /// Where compile runs remember their fine-tuning jobs by training request (e.g. an embedded silo's run folder, which
    /// outlives the silo); null keeps them in the cluster's persisted <see cref="IFinetuneJobGrain"/>s
    /// (<see cref="ClusterFinetuneJobStore"/>).
    /// </summary>
    public IFinetuneJobStore? FinetuneJobs { get; set; }

    /// <summary>
    /// How often a running compile run's reminder fires; after a silo or cluster failure the run resumes within this
    /// time even if nobody calls it. Orleans' minimum reminder period is lowered to it when shorter.
    /// </summary>
    public TimeSpan ResumeReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range, with the option's name.</exception>
    public void Validate()
    {
        if (Store == GrainStateStore.AzureTable && string.IsNullOrWhiteSpace(AzureStorageConnectionString))
        {
            throw new ArgumentException("Dspy:Grains:AzureStorageConnectionString is required when the grain state store is AzureTable.");
        }
        if (string.IsNullOrWhiteSpace(GrainStateTable) || GrainStateTable.Length is < 3 or > 63 || !GrainStateTable.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetter(GrainStateTable[0]))
        {
            throw new ArgumentException($"Dspy:Grains:GrainStateTable '{GrainStateTable}' must be 3-63 letters and digits starting with a letter (an Azure table name).");
        }
        if (Lm is null && string.IsNullOrWhiteSpace(LmModel)) throw new ArgumentException("Dspy:Grains:LmModel is required (e.g. sim).");
        if (ResumeReminderPeriod < TimeSpan.FromSeconds(1)) throw new ArgumentException($"Dspy:Grains:ResumeReminderPeriod must be at least 1 second, not {ResumeReminderPeriod}.");
        try
        {
            EndpointLimits?.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Dspy:Grains endpoint limits: {ex.Message}", ex);
        }
        foreach (var (tenant, quota) in TenantQuotas)
        {
            try
            {
                ArgumentNullException.ThrowIfNull(quota, tenant);
                quota.Validate(tenant);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Dspy:Grains:TenantQuotas:{tenant}: {ex.Message}", ex);
            }
        }
        if (NumThreads < 1) throw new ArgumentException($"Dspy:Grains:NumThreads must be at least 1, not {NumThreads}.");
        ValidateStorage();
    }
}
