using System.Globalization;

namespace Dspy;

/// <summary>Where a fine-tuning request stands, as its <see cref="IFinetuneJobStore"/> record says.</summary>
public enum FinetuneJobState
{
    /// <summary>
    /// The training file is uploaded and the job is being created. A job may exist on the provider without its id here (the
    /// process died between creating it and recording it), so the provider's jobs tagged with the request key are looked
    /// up before another is created.
    /// </summary>
    Creating,

    /// <summary>The job exists (<see cref="FinetuneJobRecord.JobId"/>) and had not finished when last read.</summary>
    Running,

    /// <summary>The job finished and named its model (<see cref="FinetuneJobRecord.FinetunedModel"/>).</summary>
    Succeeded,

    /// <summary>
    /// The job ended <c>failed</c> or <c>cancelled</c> and the compile that saw it failed with the provider's reason. It is
    /// never re-attached: the next compile of the same request starts a new job (attempt + 1).
    /// </summary>
    Failed,
}

/// <summary>
/// What is remembered about one fine-tuning request (see <see cref="IFinetuneJobStore"/>): small, ids and names only.
/// Written before the job is created (<see cref="FinetuneJobState.Creating"/>, with the uploaded file), right after (its
/// job id), and when it finishes.
/// </summary>
public sealed record FinetuneJobRecord
{
    /// <summary>The request key (<see cref="FinetuneRequestKey"/>): base model, endpoint, data, format and train kwargs.</summary>
    public required string Key { get; init; }

    /// <summary>The provider (e.g. <c>openai</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>The model being fine-tuned, as the provider names it.</summary>
    public required string BaseModel { get; init; }

    /// <summary>Where the job runs (e.g. the API base URL).</summary>
    public required string Endpoint { get; init; }

    /// <summary>Where the request stands.</summary>
    public FinetuneJobState State { get; init; }

    /// <summary>The provider's id of the uploaded training file.</summary>
    public string? TrainingFileId { get; init; }

    /// <summary>The provider's job id, once created.</summary>
    public string? JobId { get; init; }

    /// <summary>The job's status as the provider last reported it (e.g. <c>queued</c>, <c>running</c>, <c>failed</c>).</summary>
    public string? ProviderStatus { get; init; }

    /// <summary>The fine-tuned model's name, once the job succeeded.</summary>
    public string? FinetunedModel { get; init; }

    /// <summary>The provider's reason for a failed job.</summary>
    public string? Error { get; init; }

    /// <summary>Jobs created for this request so far (1 for the first; a retry after a failure adds one).</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Jobs of earlier attempts (failed, cancelled or no longer known to the provider): never re-attached.</summary>
    public IReadOnlyList<string> PreviousJobIds { get; init; } = [];

    /// <summary>The number of training records.</summary>
    public int TrainExamples { get; init; }

    /// <summary>When the record was last written (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The record as a JSON object (snake_case keys), as <see cref="FinetuneJobFolder"/> stores it.</summary>
    public Dictionary<string, object?> ToJsonObject() => new(StringComparer.Ordinal)
    {
        ["key"] = Key,
        ["provider"] = Provider,
        ["base_model"] = BaseModel,
        ["endpoint"] = Endpoint,
        ["state"] = State.ToString().ToLowerInvariant(),
        ["training_file_id"] = TrainingFileId,
        ["job_id"] = JobId,
        ["provider_status"] = ProviderStatus,
        ["fine_tuned_model"] = FinetunedModel,
        ["error"] = Error,
        ["attempt"] = (long)Attempt,
        ["previous_job_ids"] = PreviousJobIds.Cast<object?>().ToList(),
        ["train_examples"] = (long)TrainExamples,
        ["updated_at"] = UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>The record as JSON text (<see cref="ToJsonObject"/>): what a job folder's file and a cluster's job grain hold.</summary>
    public string ToJson(int? indent = null) => PythonJson.Dumps(ToJsonObject(), indent: indent);

    /// <summary>Reads a record from the JSON text <see cref="ToJson"/> writes.</summary>
    /// <exception cref="InvalidDataException">The text is not JSON, or not a fine-tuning job record.</exception>
    public static FinetuneJobRecord Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        object? value;
        try
        {
            value = ValueModel.ParseJson(json);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException($"A fine-tuning job record is JSON ({ex.Message}).", ex);
        }
        return FromJsonObject(value);
    }

    /// <summary>Reads a record from the JSON object <see cref="ToJsonObject"/> writes.</summary>
    /// <exception cref="InvalidDataException">The object is not a fine-tuning job record.</exception>
    public static FinetuneJobRecord FromJsonObject(object? json)
    {
        if (json is not Dictionary<string, object?> o) throw new InvalidDataException("A fine-tuning job record is a JSON object.");
        return new FinetuneJobRecord
        {
            Key = Required(o, "key"),
            Provider = Required(o, "provider"),
            BaseModel = Required(o, "base_model"),
            Endpoint = Required(o, "endpoint"),
            State = Enum.TryParse<FinetuneJobState>(Required(o, "state"), ignoreCase: true, out var state) && Enum.IsDefined(state)
                ? state : throw new InvalidDataException($"Unknown fine-tuning job state '{o["state"]}'."),
            TrainingFileId = Optional(o, "training_file_id"),
            JobId = Optional(o, "job_id"),
            ProviderStatus = Optional(o, "provider_status"),
            FinetunedModel = Optional(o, "fine_tuned_model"),
            Error = Optional(o, "error"),
            Attempt = o.GetValueOrDefault("attempt") is long attempt and >= 1 and <= int.MaxValue ? (int)attempt
                : throw new InvalidDataException("A fine-tuning job record's 'attempt' must be a positive integer."),
            PreviousJobIds = o.GetValueOrDefault("previous_job_ids") is List<object?> ids && ids.All(i => i is string)
                ? ids.Cast<string>().ToList() : throw new InvalidDataException("A fine-tuning job record's 'previous_job_ids' must be a list of strings."),
            TrainExamples = o.GetValueOrDefault("train_examples") is long n and >= 0 and <= int.MaxValue ? (int)n : 0,
            UpdatedAt = DateTimeOffset.TryParse(Optional(o, "updated_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : default,
        };
    }

    private static string Required(Dictionary<string, object?> o, string name) =>
        o.GetValueOrDefault(name) is string { Length: > 0 } s ? s : throw new InvalidDataException($"A fine-tuning job record needs a '{name}' string.");

    private static string? Optional(Dictionary<string, object?> o, string name) => o.GetValueOrDefault(name) as string;
}
