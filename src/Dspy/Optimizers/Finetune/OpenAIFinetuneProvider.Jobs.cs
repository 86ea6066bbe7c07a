using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Dspy;

// How a request finds its job again (see the class remarks): the store's record first, then the provider's job tagged
// with the request key, and only then a new job.
public sealed partial class OpenAIFinetuneProvider
{
    private sealed record Request(string Key, string BaseModel, string ApiBase, string Jsonl, int Examples,
        IReadOnlyDictionary<string, object?>? TrainKwargs, IFinetuneJobStore? Jobs);

    /// <summary>The request's job once it ended, the record that names it, the status reads made, and whether an earlier call started it.</summary>
    private sealed record Outcome(FinetuneJobRecord Record, JsonElement Job, int Polls, bool Resumed);

    private async Task<Outcome> AttachOrStartAsync(OpenAIFinetuneApi api, Request request, CancellationToken cancellationToken)
    {
        var record = request.Jobs is null ? null : await request.Jobs.GetAsync(request.Key, cancellationToken);
        if (record is { State: not FinetuneJobState.Failed, JobId: { } known })
        {
            if (await api.GetJobAsync(known, cancellationToken) is { } job)
            {
                var status = OpenAIFinetuneApi.Status(job);
                LogReattached(Log, known, request.Key, status);
                return await WaitAsync(api, record, job, polls: 1, resumed: true, cancellationToken);
            }
            // Another server or organisation, or a job deleted since: its record cannot be resumed, so a new attempt starts.
            LogLost(Log, known, request.Key);
        }
        else if (record is { State: FinetuneJobState.Creating })
        {
            // The process died around the job's creation: a job may exist that the record does not name.
            if (await api.FindTaggedJobAsync(request.Key, record.PreviousJobIds, cancellationToken) is { } tagged)
            {
                var id = tagged.GetProperty("id").GetString()!;
                LogFoundByTag(Log, id, request.Key);
                record = await SaveAsync(request, record with { State = FinetuneJobState.Running, JobId = id, ProviderStatus = OpenAIFinetuneApi.Status(tagged) },
                    CancellationToken.None);
                return await WaitAsync(api, record, current: null, polls: 0, resumed: true, cancellationToken);
            }
        }

        // This attempt's file, when the record holds it (uploaded before the process died), else a new upload.
        var fileId = record is { State: FinetuneJobState.Creating, TrainingFileId: { } uploaded } ? uploaded : await api.UploadAsync(request.Jsonl, cancellationToken);
        record = await SaveAsync(request, StartAttempt(record, request, fileId), cancellationToken); // before the job exists
        var created = await api.CreateJobAsync(request.BaseModel, fileId, request.TrainKwargs, request.Key, cancellationToken);
        // At once and whatever the caller's token says: the job is paid for. Dying before this write is covered by the tag.
        record = await SaveAsync(request, record with
        {
            State = FinetuneJobState.Running, JobId = created.GetProperty("id").GetString()!, ProviderStatus = OpenAIFinetuneApi.Status(created),
        }, CancellationToken.None);
        return await WaitAsync(api, record, current: null, polls: 0, resumed: false, cancellationToken);
    }

    // Reads the job's status until it ends: at once when current is null, then after waits that double up to PollInterval.
    private async Task<Outcome> WaitAsync(OpenAIFinetuneApi api, FinetuneJobRecord record, JsonElement? current, int polls, bool resumed,
        CancellationToken cancellationToken)
    {
        var jobId = record.JobId!;
        var wait = InitialPollInterval < PollInterval ? InitialPollInterval : PollInterval;
        while (true)
        {
            if (current is null)
            {
                current = await api.GetJobAsync(jobId, cancellationToken)
                    ?? throw new InvalidOperationException($"Fine-tuning job {jobId} is no longer known to the provider.");
                polls++;
            }
            var status = OpenAIFinetuneApi.Status(current.Value);
            if (OpenAIFinetuneApi.IsTerminal(status)) return new Outcome(record, current.Value, polls, resumed);
            if (polls >= MaxPolls) throw new InvalidOperationException($"Fine-tuning job {jobId} was still '{status}' after {polls} status reads.");
            await Task.Delay(wait, TimeProvider, cancellationToken);
            wait = wait * 2 < PollInterval ? wait * 2 : PollInterval;
            current = null;
        }
    }

    // The record of a new job for the request: the first, the same attempt again (its creation was never seen), or the
    // next attempt after a failed job or one the provider no longer knows (which is never re-attached).
    private static FinetuneJobRecord StartAttempt(FinetuneJobRecord? previous, Request request, string fileId) => previous switch
    {
        null => new FinetuneJobRecord
        {
            Key = request.Key, Provider = ProviderName, BaseModel = request.BaseModel, Endpoint = request.ApiBase, State = FinetuneJobState.Creating,
            TrainingFileId = fileId, TrainExamples = request.Examples,
        },
        { State: FinetuneJobState.Creating, JobId: null } => previous with { TrainingFileId = fileId },
        _ => previous with
        {
            State = FinetuneJobState.Creating, TrainingFileId = fileId, JobId = null, ProviderStatus = null, FinetunedModel = null, Error = null,
            Attempt = previous.Attempt + 1, PreviousJobIds = previous.JobId is { } id ? [.. previous.PreviousJobIds, id] : previous.PreviousJobIds,
        },
    };

    private async Task<FinetuneJobRecord> SaveAsync(Request request, FinetuneJobRecord record, CancellationToken cancellationToken)
    {
        if (request.Jobs is null) return record;
        var stamped = record with { UpdatedAt = TimeProvider.GetUtcNow() };
        await request.Jobs.PutAsync(stamped, cancellationToken);
        return stamped;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-attached to fine-tuning job {JobId} of request {RequestKey} ({Status}); no new job is started")]
    private static partial void LogReattached(ILogger logger, string jobId, string requestKey, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Found fine-tuning job {JobId} of request {RequestKey} by its tag (its creation was not recorded); no new job is started")]
    private static partial void LogFoundByTag(ILogger logger, string jobId, string requestKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fine-tuning job {JobId} of request {RequestKey} is no longer known to the provider; starting a new job")]
    private static partial void LogLost(ILogger logger, string jobId, string requestKey);
}
