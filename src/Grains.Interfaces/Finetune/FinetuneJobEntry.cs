namespace Dspy.Grains;

/// <summary>A <see cref="FinetuneJobRecord"/> as grain messages and grain state carry it.</summary>
[GenerateSerializer, Immutable, Alias("dspy.FinetuneJobEntry")]
public sealed record FinetuneJobEntry
{
    /// <summary>The request key.</summary>
    [Id(0)] public required string Key { get; init; }

    /// <summary>The provider (e.g. <c>openai</c>).</summary>
    [Id(1)] public required string Provider { get; init; }

    /// <summary>The model being fine-tuned.</summary>
    [Id(2)] public required string BaseModel { get; init; }

    /// <summary>Where the job runs.</summary>
    [Id(3)] public required string Endpoint { get; init; }

    /// <summary>Where the request stands: a <see cref="FinetuneJobState"/> by name (<c>Creating</c>, <c>Running</c> ...).</summary>
    [Id(4)] public required string State { get; init; }

    /// <summary>The uploaded training file's id.</summary>
    [Id(5)] public string? TrainingFileId { get; init; }

    /// <summary>The job's id, once created.</summary>
    [Id(6)] public string? JobId { get; init; }

    /// <summary>The job's status as last read.</summary>
    [Id(7)] public string? ProviderStatus { get; init; }

    /// <summary>The fine-tuned model, once the job succeeded.</summary>
    [Id(8)] public string? FinetunedModel { get; init; }

    /// <summary>The provider's reason for a failed job.</summary>
    [Id(9)] public string? Error { get; init; }

    /// <summary>Jobs created for the request so far.</summary>
    [Id(10)] public int Attempt { get; init; } = 1;

    /// <summary>Jobs of earlier attempts, never re-attached.</summary>
    [Id(11)] public IReadOnlyList<string> PreviousJobIds { get; init; } = [];

    /// <summary>The number of training records.</summary>
    [Id(12)] public int TrainExamples { get; init; }

    /// <summary>When the record was last written.</summary>
    [Id(13)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The entry of <paramref name="record"/>.</summary>
    public static FinetuneJobEntry From(FinetuneJobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new FinetuneJobEntry
        {
            Key = record.Key, Provider = record.Provider, BaseModel = record.BaseModel, Endpoint = record.Endpoint, State = record.State.ToString(),
            TrainingFileId = record.TrainingFileId, JobId = record.JobId, ProviderStatus = record.ProviderStatus, FinetunedModel = record.FinetunedModel,
            Error = record.Error, Attempt = record.Attempt, PreviousJobIds = [.. record.PreviousJobIds], TrainExamples = record.TrainExamples,
            UpdatedAt = record.UpdatedAt,
        };
    }

    /// <summary>The library's record.</summary>
    /// <exception cref="InvalidDataException">The state is not a <see cref="FinetuneJobState"/>.</exception>
    public FinetuneJobRecord ToRecord() => new()
    {
        Key = Key, Provider = Provider, BaseModel = BaseModel, Endpoint = Endpoint,
        State = Enum.TryParse<FinetuneJobState>(State, out var state) && Enum.IsDefined(state) ? state
            : throw new InvalidDataException($"The fine-tuning job record of request {Key} has an unknown state '{State}'."), TrainingFileId = TrainingFileId, JobId = JobId,
        ProviderStatus = ProviderStatus, FinetunedModel = FinetunedModel, Error = Error, Attempt = Attempt, PreviousJobIds = [.. PreviousJobIds],
        TrainExamples = TrainExamples, UpdatedAt = UpdatedAt,
    };
}
