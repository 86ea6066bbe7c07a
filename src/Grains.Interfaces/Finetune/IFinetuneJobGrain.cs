namespace Dspy.Grains;

/// <summary>
/// The cluster's memory of one fine-tuning request (key: the request key, <see cref="FinetuneRequestKey"/>): the small
/// record an <see cref="IFinetuneJobStore"/> keeps (uploaded file, job id, state, fine-tuned model), persisted (Azure Table
/// storage in Azure mode), so a compile run resumed on another silo after its own died re-attaches to the job it started
/// instead of starting a second one. Shared by every run of the cluster that sends the same request to the same endpoint.
/// </summary>
[Alias("dspy.IFinetuneJobGrain")]
public interface IFinetuneJobGrain : IGrainWithStringKey
{
    /// <summary>The record as JSON (<see cref="FinetuneJobRecord.ToJson"/>), or null when the request has none.</summary>
    [Alias("Get")]
    [ResponseTimeout("00:00:30")]
    Task<string?> GetAsync();

    /// <summary>Replaces the record (its JSON, <see cref="FinetuneJobRecord.ToJson"/>); answers once it is stored.</summary>
    /// <exception cref="ArgumentException">The JSON is not a record, or the record is for another request.</exception>
    [Alias("Put")]
    [ResponseTimeout("00:00:30")]
    Task PutAsync(string recordJson);
}
