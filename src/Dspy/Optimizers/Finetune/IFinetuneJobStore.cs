namespace Dspy;

/// <summary>
/// Remembers fine-tuning jobs by training request (DESIGN invariant 2 for the one provider call that is not an LM call): a
/// compile that is resumed after a crash finds the job its earlier attempt started and re-attaches to it (waiting for it,
/// or taking the model of the job that finished) instead of paying for a second one. One small
/// <see cref="FinetuneJobRecord"/> per request key (<see cref="FinetuneRequestKey"/>).
/// <list type="bullet">
/// <item>In-process: <see cref="FinetuneJobFolder"/>, in a run folder (<see cref="RunFolder.FinetuneJobs"/>) or else in
/// the fine-tuned LM's disk cache (<see cref="FinetuneJobFolder.ForLm"/>).</item>
/// <item>On a cluster: a persisted grain per request key (Azure Table storage in Azure mode).</item>
/// </list>
/// Give one to <see cref="BootstrapFinetuneOptions.JobStore"/> or to a flow with <see cref="DspySettings.FinetuneJobs"/>.
/// </summary>
/// <remarks>
/// Unlike an <see cref="ILMCacheStore"/>, a store that cannot be read or written throws and is never taken for "no
/// record": guessing could pay for a second job. A record is replaced whole; <see cref="PutAsync"/> returns once it is
/// durable, so a crash after it keeps the record.
/// </remarks>
public interface IFinetuneJobStore
{
    /// <summary>The record of request <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<FinetuneJobRecord?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="record"/> under its <see cref="FinetuneJobRecord.Key"/>, replacing any earlier one.</summary>
    ValueTask PutAsync(FinetuneJobRecord record, CancellationToken cancellationToken = default);
}
