using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Dspy;

/// <summary>
/// Fine-tuning through OpenAI's API (DSPy's <c>OpenAIProvider</c>), for <c>openai/...</c> LMs and any OpenAI-compatible
/// server reached through <c>api_base</c> (such as <c>dspy sim serve</c>): writes the records as JSONL, uploads them
/// (<c>POST /files</c>, <c>purpose=fine-tune</c>), creates a job (<c>POST /fine_tuning/jobs</c> with the model and
/// <c>hyperparameters = train_kwargs</c>), reads its status (<c>GET /fine_tuning/jobs/{id}</c>) until it is <c>succeeded</c>,
/// <c>failed</c> or <c>cancelled</c> (first at once, then after <see cref="InitialPollInterval"/>, doubling up to
/// <see cref="PollInterval"/>, so a quick job is seen quickly and a long one is read every 20 s as DSPy does), and returns a copy of the LM
/// for <c>fine_tuned_model</c> (as <c>openai/&lt;fine_tuned_model&gt;</c>, keeping the LM's api base and key).
/// </summary>
public sealed class OpenAIFinetuneProvider : FinetuneProvider
{
    private const string DefaultApiBase = "https://api.openai.com/v1";

    /// <summary>The longest wait between status reads (DSPy polls every 20 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The first wait between status reads; each later wait doubles, up to <see cref="PollInterval"/>.</summary>
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of the waits between polls.</summary>
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
    /// <exception cref="LMUnsupportedFeatureError">The LM is not an <c>openai/</c> model.</exception>
    /// <exception cref="ArgumentException">The format is not chat or completion, or there is no training data.</exception>
    /// <exception cref="LMProviderError">The provider refused a request.</exception>
    /// <exception cref="InvalidOperationException">The job did not succeed.</exception>
    public override async Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData,
        TrainDataFormat trainDataFormat, IReadOnlyDictionary<string, object?>? trainKwargs, CancellationToken cancellationToken = default)
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

        var model = lm.Model["openai/".Length..];
        var apiBase = ((lm.Kwargs.GetValueOrDefault("api_base") ?? lm.Kwargs.GetValueOrDefault("base_url")) as string
            ?? Env("OPENAI_BASE_URL") ?? Env("OPENAI_API_BASE") ?? DefaultApiBase).TrimEnd('/');
        var key = lm.Kwargs.GetValueOrDefault("api_key") as string ?? Env("OPENAI_API_KEY")
            ?? (apiBase != DefaultApiBase ? "not-needed"
                : throw new LMAuthError("No OpenAI API key: set OPENAI_API_KEY or pass apiKey to the LM.") { Model = lm.Model, Provider = "openai" });

        using var http = HttpClientFactory?.Invoke() ?? new HttpClient();
        var jsonl = new StringBuilder();
        foreach (var record in trainData) jsonl.Append(PythonJson.Dumps(record)).Append('\n');

        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("fine-tune"), "purpose");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl.ToString()));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "dspy-finetune-data.jsonl");
        var uploaded = await SendAsync(http, HttpMethod.Post, $"{apiBase}/files", key, form, lm.Model, cancellationToken);
        var fileId = uploaded.GetProperty("id").GetString()!;

        var createBody = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = model,
            ["training_file"] = fileId,
            ["hyperparameters"] = trainKwargs ?? new Dictionary<string, object?>(),
        };
        using var createContent = new StringContent(PythonJson.Dumps(createBody), Encoding.UTF8, "application/json");
        var created = await SendAsync(http, HttpMethod.Post, $"{apiBase}/fine_tuning/jobs", key, createContent, lm.Model, cancellationToken);
        var jobId = created.GetProperty("id").GetString()!;

        var polls = 0;
        var wait = InitialPollInterval < PollInterval ? InitialPollInterval : PollInterval;
        JsonElement job;
        string status;
        while (true)
        {
            job = await SendAsync(http, HttpMethod.Get, $"{apiBase}/fine_tuning/jobs/{Uri.EscapeDataString(jobId)}", key, null, lm.Model, cancellationToken);
            polls++;
            status = job.GetProperty("status").GetString() ?? "";
            if (status is "succeeded" or "failed" or "cancelled") break;
            if (polls >= MaxPolls) throw new InvalidOperationException($"Fine-tuning job {jobId} was still '{status}' after {polls} status reads.");
            await Task.Delay(wait, TimeProvider, cancellationToken);
            wait = wait * 2 < PollInterval ? wait * 2 : PollInterval;
        }
        if (status != "succeeded")
        {
            var reason = job.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m)
                ? $": {m.GetString()}" : "";
            throw new InvalidOperationException($"Fine-tuning job {jobId} ended with status '{status}'{reason}. It must be 'succeeded' to retrieve the model.");
        }
        var finetuned = job.TryGetProperty("fine_tuned_model", out var ft) && ft.ValueKind == JsonValueKind.String ? ft.GetString()! : "";
        if (finetuned.Length == 0) throw new InvalidOperationException($"Fine-tuning job {jobId} succeeded but named no fine_tuned_model.");
        var copy = lm.Copy(new Dictionary<string, object?>(StringComparer.Ordinal) { ["model"] = "openai/" + finetuned });
        return new FinetuneJob(model, finetuned, copy, jobId, fileId, trainData.Count, polls);
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string url, string key, HttpContent? content, string model,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var message = $"{method} {url} failed with {(int)response.StatusCode}: {ErrorMessage(body)}";
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new LMAuthError(message) { Model = model, Provider = "openai" },
                HttpStatusCode.TooManyRequests => new LMRateLimitError(message) { Model = model, Provider = "openai" },
                >= HttpStatusCode.InternalServerError => new LMServerError(message) { Model = model, Provider = "openai" },
                _ => new LMInvalidRequestError(message) { Model = model, Provider = "openai" },
            };
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new LMProviderError($"{method} {url} answered with invalid JSON: {e.Message}", e) { Model = model, Provider = "openai" };
        }
    }

    private static string ErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m))
                return m.GetString() ?? body;
        }
        catch (JsonException)
        {
            // Not JSON: report the raw body.
        }
        return body.Length > 500 ? body[..500] : body;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
