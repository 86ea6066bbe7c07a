using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Dspy;

/// <summary>
/// The calls <see cref="OpenAIFinetuneProvider"/> makes to OpenAI's files and fine-tuning API (DSPy's <c>upload_data</c>,
/// <c>_start_remote_training</c>, <c>get_training_status</c>), plus the listing of jobs by metadata that finds a job whose
/// creation was not recorded. Errors become DSPy's typed LM errors.
/// </summary>
internal sealed class OpenAIFinetuneApi(HttpClient http, string apiBase, string apiKey, string model)
{
    /// <summary>The metadata key a job is tagged with: its request key (<see cref="FinetuneRequestKey"/>).</summary>
    public const string RequestKeyTag = "dspy_request_key";

    // OpenAI pages job lists (newest first, at most 100 a page); a server that ignores the metadata filter is read this far.
    private const int PageSize = 100;
    private const int MaxPages = 10;

    /// <summary><c>POST /files</c> with <c>purpose=fine-tune</c>; returns the file id.</summary>
    public async Task<string> UploadAsync(string jsonl, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("fine-tune"), "purpose");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "dspy-finetune-data.jsonl");
        var uploaded = await SendAsync(HttpMethod.Post, $"{apiBase}/files", form, cancellationToken);
        return uploaded.GetProperty("id").GetString()!;
    }

    /// <summary><c>POST /fine_tuning/jobs</c> with the model, the file, <c>hyperparameters</c> and the request key as metadata.</summary>
    public async Task<JsonElement> CreateJobAsync(string baseModel, string fileId, IReadOnlyDictionary<string, object?>? trainKwargs, string requestKey,
        CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = baseModel,
            ["training_file"] = fileId,
            ["hyperparameters"] = trainKwargs ?? new Dictionary<string, object?>(),
            ["metadata"] = new Dictionary<string, object?>(StringComparer.Ordinal) { [RequestKeyTag] = requestKey },
        };
        using var content = new StringContent(PythonJson.Dumps(body), Encoding.UTF8, "application/json");
        return await SendAsync(HttpMethod.Post, $"{apiBase}/fine_tuning/jobs", content, cancellationToken);
    }

    /// <summary><c>GET /fine_tuning/jobs/{id}</c>; null when the provider does not know the job (404).</summary>
    public async Task<JsonElement?> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, $"{apiBase}/fine_tuning/jobs/{Uri.EscapeDataString(jobId)}", null, cancellationToken);
        }
        catch (LMInvalidRequestError e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The newest job tagged with <paramref name="requestKey"/> that is not one of <paramref name="excluded"/>, preferring one
    /// that did not fail (<c>GET /fine_tuning/jobs?metadata[k]=v</c>, checked again here in case a server ignores the
    /// filter); null when there is none or the server cannot list jobs by metadata (4xx).
    /// </summary>
    public async Task<JsonElement?> FindTaggedJobAsync(string requestKey, IReadOnlyCollection<string> excluded, CancellationToken cancellationToken)
    {
        var found = new List<JsonElement>();
        string? after = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var url = $"{apiBase}/fine_tuning/jobs?limit={PageSize}&{Uri.EscapeDataString($"metadata[{RequestKeyTag}]")}={Uri.EscapeDataString(requestKey)}"
                + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            JsonElement list;
            try
            {
                list = await SendAsync(HttpMethod.Get, url, null, cancellationToken);
            }
            catch (LMInvalidRequestError)
            {
                return null;
            }
            if (!list.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return null;
            foreach (var job in data.EnumerateArray())
            {
                after = job.TryGetProperty("id", out var id) ? id.GetString() : after;
                if (Tag(job) == requestKey && id.GetString() is { } jobId && !excluded.Contains(jobId)) found.Add(job);
            }
            if (!(list.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True) || after is null) break;
        }
        // Listed newest first: the first that did not fail, else the newest (a failure of the attempt that died, to report).
        return found.Cast<JsonElement?>().FirstOrDefault(j => Status(j!.Value) is not ("failed" or "cancelled")) ?? found.Cast<JsonElement?>().FirstOrDefault();
    }

    /// <summary>A job's <c>status</c>.</summary>
    public static string Status(JsonElement job) => job.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";

    /// <summary>Whether the provider is done with the job.</summary>
    public static bool IsTerminal(string status) => status is "succeeded" or "failed" or "cancelled";

    /// <summary>A finished job's reason for failing (<c>error.message</c>), or null.</summary>
    public static string? Error(JsonElement job) =>
        job.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() : null;

    private static string? Tag(JsonElement job) =>
        job.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty(RequestKeyTag, out var tag)
            && tag.ValueKind == JsonValueKind.String ? tag.GetString() : null;

    private async Task<JsonElement> SendAsync(HttpMethod method, string url, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var message = $"{method} {url} failed with {(int)response.StatusCode}: {ErrorMessage(body)}";
            var status = (int)response.StatusCode;
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new LMAuthError(message) { Model = model, Provider = "openai", Status = status },
                HttpStatusCode.TooManyRequests => new LMRateLimitError(message) { Model = model, Provider = "openai", Status = status },
                >= HttpStatusCode.InternalServerError => new LMServerError(message) { Model = model, Provider = "openai", Status = status },
                _ => new LMInvalidRequestError(message) { Model = model, Provider = "openai", Status = status },
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
}
