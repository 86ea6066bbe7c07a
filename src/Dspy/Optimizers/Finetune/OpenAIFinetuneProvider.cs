using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// Fine-tuning through OpenAI's API (DSPy's <c>OpenAIProvider</c>), for <c>openai/...</c> LMs and any OpenAI-compatible
/// server reached through <c>api_base</c> (such as <c>dspy sim serve</c>): writes the records as JSONL, uploads them
/// (<c>POST /files</c>, <c>purpose=fine-tune</c>), creates a job (<c>POST /fine_tuning/jobs</c> with the model,
/// <c>hyperparameters = train_kwargs</c> and the request key as <c>metadata</c>), reads its status
/// (<c>GET /fine_tuning/jobs/{id}</c>) until it is <c>succeeded</c>, <c>failed</c> or <c>cancelled</c> (first at once, then
/// after <see cref="InitialPollInterval"/>, doubling up to <see cref="PollInterval"/>, so a quick job is seen quickly and a
/// long one is read every 20 s as DSPy does), and returns a copy of the LM for <c>fine_tuned_model</c> (as
/// <c>openai/&lt;fine_tuned_model&gt;</c>, keeping the LM's api base and key).
/// <para>
/// With an <see cref="IFinetuneJobStore"/>, a job is never paid for twice for the same request
/// (<see cref="FinetuneRequestKey"/>): the record is written after the upload and before the job is created
/// (<see cref="FinetuneJobState.Creating"/>), right after its creation (its id) and when it ends. A call that finds a
/// record re-attaches to its job (waits for it, or takes the model of the job that succeeded); one that finds
/// <see cref="FinetuneJobState.Creating"/> (the process died around the creation) first looks for the provider's job
/// tagged with the request key (<c>GET /fine_tuning/jobs?metadata[dspy_request_key]=...</c>) and creates one only when
/// there is none. A job that failed is never re-attached: the call that sees it fail records it and fails; the next call
/// for the same request starts a new job. Cancelling the call leaves the provider's job running, for the re-run.
/// </para>
/// </summary>
public sealed partial class OpenAIFinetuneProvider : FinetuneProvider
{
    private const string DefaultApiBase = "https://api.openai.com/v1";
    private const string ProviderName = "openai";

    private static ILogger Log => DspyLogging.CreateLogger(typeof(OpenAIFinetuneProvider));

    /// <summary>The longest wait between status reads (DSPy polls every 20 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The first wait between status reads; each later wait doubles, up to <see cref="PollInterval"/>.</summary>
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of the waits between polls and of the records' times.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The most status reads before giving up (a job stuck in <c>running</c> then fails clearly).</summary>
    public int MaxPolls { get; init; } = 100_000;

    /// <summary>Creates the HTTP client for an api base; the default is a plain <see cref="HttpClient"/>.</summary>
    public Func<HttpClient>? HttpClientFactory { get; init; }

    /// <inheritdoc/>
    public override bool CanFinetune(BaseLM lm)
    {
        ArgumentNullException.ThrowIfNull(lm);
        return lm.Model.StartsWith("openai/", StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    /// <remarks>Remembers nothing: every call starts a job. Pass an <see cref="IFinetuneJobStore"/> to resume.</remarks>
    public override Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData,
        TrainDataFormat trainDataFormat, IReadOnlyDictionary<string, object?>? trainKwargs, CancellationToken cancellationToken = default) =>
        FinetuneAsync(lm, trainData, trainDataFormat, trainKwargs, jobs: null, cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="LMUnsupportedFeatureError">The LM is not an <c>openai/</c> model.</exception>
    /// <exception cref="ArgumentException">The format is not chat or completion, or there is no training data.</exception>
    /// <exception cref="LMProviderError">The provider refused a request.</exception>
    /// <exception cref="InvalidOperationException">The job did not succeed, or a dry run is in progress.</exception>
    public override async Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData,
        TrainDataFormat trainDataFormat, IReadOnlyDictionary<string, object?>? trainKwargs, IFinetuneJobStore? jobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(trainData);
        if (!CanFinetune(lm))
        {
            throw new LMUnsupportedFeatureError($"Provider of '{lm.Model}' does not support fine-tuning; fine-tune an 'openai/<model>' LM "
                + "(any OpenAI-compatible server through api_base).") { Model = lm.Model };
        }
        if (trainDataFormat is not (TrainDataFormat.Chat or TrainDataFormat.Completion))
            throw new ArgumentException($"OpenAI does not support the data format {trainDataFormat}.", nameof(trainDataFormat));
        if (trainData.Count == 0) throw new ArgumentException("There is no training data to fine-tune on.", nameof(trainData));
        // A dry run spends nothing: BootstrapFinetune starts no job under one, and neither does a direct call.
        if (Settings.Current.Projection is not null) throw new InvalidOperationException("A dry run starts no fine-tuning job.");

        var model = lm.Model["openai/".Length..];
        var apiBase = ((lm.Kwargs.GetValueOrDefault("api_base") ?? lm.Kwargs.GetValueOrDefault("base_url")) as string
            ?? Env("OPENAI_BASE_URL") ?? Env("OPENAI_API_BASE") ?? DefaultApiBase).TrimEnd('/');
        var key = lm.Kwargs.GetValueOrDefault("api_key") as string ?? Env("OPENAI_API_KEY")
            ?? (apiBase != DefaultApiBase ? "not-needed"
                : throw new LMAuthError("No OpenAI API key: set OPENAI_API_KEY or pass apiKey to the LM.") { Model = lm.Model, Provider = ProviderName });

        var jsonl = new StringBuilder();
        foreach (var example in trainData) jsonl.Append(PythonJson.Dumps(example)).Append('\n');
        var request = new Request(FinetuneRequestKey.Compute(ProviderName, model, apiBase, trainDataFormat, trainKwargs, jsonl.ToString()),
            model, apiBase, jsonl.ToString(), trainData.Count, trainKwargs, jobs);

        using var http = HttpClientFactory?.Invoke() ?? new HttpClient();
        var api = new OpenAIFinetuneApi(http, apiBase, key, lm.Model);
        // Without a store nothing is remembered, so there is nothing to wait for either.
        using var gate = jobs is null ? null : await RequestGate.EnterAsync(request.Key, cancellationToken);
        var outcome = await AttachOrStartAsync(api, request, cancellationToken);
        var (record, job) = (outcome.Record, outcome.Job);
        var jobId = record.JobId!;
        var status = OpenAIFinetuneApi.Status(job);
        // The job is paid for: its end is recorded even when the caller has given up meanwhile.
        if (status != "succeeded")
        {
            var reason = OpenAIFinetuneApi.Error(job);
            await SaveAsync(request, record with { State = FinetuneJobState.Failed, ProviderStatus = status, Error = reason ?? status }, CancellationToken.None);
            throw new InvalidOperationException($"Fine-tuning job {jobId} ended with status '{status}'{(reason is null ? "" : ": " + reason)}. It must be 'succeeded' to "
                + "retrieve the model." + (jobs is null ? "" : " It is recorded as failed: running the same fine-tuning again starts a new job."));
        }
        var finetuned = job.TryGetProperty("fine_tuned_model", out var ft) && ft.ValueKind == JsonValueKind.String ? ft.GetString()! : "";
        if (finetuned.Length == 0) throw new InvalidOperationException($"Fine-tuning job {jobId} succeeded but named no fine_tuned_model.");
        if (record.State != FinetuneJobState.Succeeded || record.FinetunedModel != finetuned)
        {
            await SaveAsync(request, record with { State = FinetuneJobState.Succeeded, ProviderStatus = status, FinetunedModel = finetuned, Error = null },
                CancellationToken.None);
        }
        var copy = lm.Copy(new Dictionary<string, object?>(StringComparer.Ordinal) { ["model"] = "openai/" + finetuned });
        return new FinetuneJob(model, finetuned, copy, jobId, record.TrainingFileId ?? "", trainData.Count, outcome.Polls) { Resumed = outcome.Resumed };
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
