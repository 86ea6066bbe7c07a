using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dspy.Cli;

/// <summary>
/// OpenAI's files and fine-tuning endpoints on the simulated LM server: <c>POST /v1/files</c> (multipart: <c>purpose</c>,
/// <c>file</c>), <c>GET /v1/files/{id}</c>, <c>POST /v1/fine_tuning/jobs</c> (with <c>metadata</c>), <c>GET
/// /v1/fine_tuning/jobs</c> (newest first; <c>limit</c>, <c>after</c>, <c>metadata[k]=v</c> or <c>metadata=null</c>),
/// <c>GET /v1/fine_tuning/jobs/{id}</c> and <c>GET /v1/fine_tuning/jobs/{id}/events</c>; the fine-tuned model (<c>ft:&lt;model&gt;:dspy-sim::&lt;hash&gt;</c>) then
/// answers <c>/v1/chat/completions</c> from its training data (see <see cref="SimFineTuning"/>).
/// </summary>
public sealed partial class SimServer
{
    /// <summary>The names of the fine-tuned models created on this server.</summary>
    public IReadOnlyCollection<string> FineTunedModels => _fineTuning.Models;

    /// <summary>Fine-tuning jobs created on this server (each one a paid job on a real provider).</summary>
    public long FineTuningJobsCreated => _fineTuning.JobsCreated;

    /// <summary>The fine-tuning jobs created on this server, oldest first: id, status (as last read) and metadata.</summary>
    public IReadOnlyList<(string Id, string Status, IReadOnlyDictionary<string, string> Metadata)> FineTuningJobs =>
        [.. _fineTuning.Jobs.Select(j => (j.Id, j.Status, j.Metadata ?? new Dictionary<string, string>()))];

    private void MapFineTuning(WebApplication app)
    {
        app.MapPost("/v1/files", (Func<HttpContext, Task>)UploadFileAsync);
        app.MapGet("/v1/files/{id}", (Func<HttpContext, Task>)(ctx =>
        {
            var id = (string)ctx.Request.RouteValues["id"]!;
            return _fineTuning.GetFile(id) is { } file
                ? WriteJsonAsync(ctx, 200, w => WriteFile(w, file))
                : WriteErrorAsync(ctx, SimWire.OpenAI, 404, $"No such File object: {id}", "invalid_request_error", null);
        }));
        app.MapPost("/v1/fine_tuning/jobs", (Func<HttpContext, Task>)CreateJobAsync);
        app.MapGet("/v1/fine_tuning/jobs", (Func<HttpContext, Task>)ListJobsAsync);
        app.MapGet("/v1/fine_tuning/jobs/{id}", (Func<HttpContext, Task>)(ctx =>
        {
            var id = (string)ctx.Request.RouteValues["id"]!;
            return _fineTuning.Poll(id) is { } job
                ? WriteJsonAsync(ctx, 200, w => WriteJob(w, job))
                : WriteErrorAsync(ctx, SimWire.OpenAI, 404, $"No fine-tuning job found with id {id}", "invalid_request_error", "fine_tune_not_found");
        }));
        app.MapGet("/v1/fine_tuning/jobs/{id}/events", (Func<HttpContext, Task>)(ctx =>
        {
            var id = (string)ctx.Request.RouteValues["id"]!;
            if (_fineTuning.Poll(id) is not { } job)
                return WriteErrorAsync(ctx, SimWire.OpenAI, 404, $"No fine-tuning job found with id {id}", "invalid_request_error", "fine_tune_not_found");
            return WriteJsonAsync(ctx, 200, w =>
            {
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                w.WriteStartObject();
                w.WriteString("id", job.Id + "-event-" + job.Polls);
                w.WriteString("object", "fine_tuning.job.event");
                w.WriteNumber("created_at", job.FinishedAt ?? job.CreatedAt);
                w.WriteString("level", job.Status == "failed" ? "error" : "info");
                w.WriteString("message", job.Error is { } e ? e.Message : $"Job is {job.Status} (simulated)");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteBoolean("has_more", false);
                w.WriteEndObject();
            });
        }));
    }

    private async Task UploadFileAsync(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType)
        {
            await WriteErrorAsync(ctx, SimWire.OpenAI, 400, "Files are uploaded as multipart/form-data with 'purpose' and 'file'.", "invalid_request_error", null);
            return;
        }
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        var purpose = form["purpose"].ToString();
        if (!SimFineTuning.IsPurpose(purpose))
        {
            await WriteErrorAsync(ctx, SimWire.OpenAI, 400, $"'{purpose}' is not one of ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] - 'purpose'",
                "invalid_request_error", null);
            return;
        }
        if (form.Files.GetFile("file") is not { } upload)
        {
            await WriteErrorAsync(ctx, SimWire.OpenAI, 400, "Missing required parameter: 'file'.", "invalid_request_error", null);
            return;
        }
        using var reader = new StreamReader(upload.OpenReadStream());
        var file = _fineTuning.AddFile(upload.FileName, purpose, await reader.ReadToEndAsync(ctx.RequestAborted));
        await WriteJsonAsync(ctx, 200, w => WriteFile(w, file));
    }

    private async Task CreateJobAsync(HttpContext ctx)
    {
        string? model, trainingFile, hyperparameters;
        Dictionary<string, string>? metadata = null;
        try
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            var root = doc.RootElement;
            model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            trainingFile = root.TryGetProperty("training_file", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            hyperparameters = root.TryGetProperty("hyperparameters", out var h) ? h.GetRawText() : "{}";
            if (root.TryGetProperty("metadata", out var md) && md.ValueKind != JsonValueKind.Null)
            {
                if (md.ValueKind != JsonValueKind.Object || md.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
                {
                    await WriteErrorAsync(ctx, SimWire.OpenAI, 400, "Invalid 'metadata': expected an object of string values.", "invalid_request_error", null);
                    return;
                }
                metadata = md.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
            }
        }
        catch (JsonException e)
        {
            await WriteErrorAsync(ctx, SimWire.OpenAI, 400, "Invalid request: " + e.Message, "invalid_request_error", null);
            return;
        }
        var (job, error) = _fineTuning.CreateJob(model, trainingFile, hyperparameters, metadata);
        if (job is null)
        {
            await WriteErrorAsync(ctx, SimWire.OpenAI, 400, error!, "invalid_request_error", null);
            return;
        }
        await WriteJsonAsync(ctx, 200, w => WriteJob(w, job));
    }

    // OpenAI's list: limit 1-100 (default 20), after = the last id of the previous page, metadata[k]=v filters (all must
    // match) or metadata=null for the jobs without metadata.
    private Task ListJobsAsync(HttpContext ctx)
    {
        var query = ctx.Request.Query;
        var limit = 20;
        if (query.TryGetValue("limit", out var l) && (!int.TryParse(l.ToString(), System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
            return WriteErrorAsync(ctx, SimWire.OpenAI, 400, $"Invalid 'limit': expected an integer between 1 and 100, got '{l}'.", "invalid_request_error", null);
        var filter = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in query)
        {
            if (name.StartsWith("metadata[", StringComparison.Ordinal) && name.EndsWith(']')) filter[name["metadata[".Length..^1]] = value.ToString();
        }
        var noMetadata = query.TryGetValue("metadata", out var m) && m.ToString() == "null";
        var (jobs, hasMore) = _fineTuning.List(query.TryGetValue("after", out var a) ? a.ToString() : null, limit, filter, noMetadata);
        return WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var job in jobs) WriteJob(w, job);
            w.WriteEndArray();
            w.WriteBoolean("has_more", hasMore);
            w.WriteEndObject();
        });
    }

    private static void WriteFile(Utf8JsonWriter w, SimFineTuning.SimFile file)
    {
        w.WriteStartObject();
        w.WriteString("id", file.Id);
        w.WriteString("object", "file");
        w.WriteNumber("bytes", System.Text.Encoding.UTF8.GetByteCount(file.Content));
        w.WriteNumber("created_at", file.CreatedAt);
        w.WriteString("filename", file.FileName);
        w.WriteString("purpose", file.Purpose);
        w.WriteString("status", "processed");
        w.WriteEndObject();
    }

    private static void WriteJob(Utf8JsonWriter w, SimFineTuning.SimJob job)
    {
        lock (job)
        {
            w.WriteStartObject();
            w.WriteString("id", job.Id);
            w.WriteString("object", "fine_tuning.job");
            w.WriteString("model", job.Model);
            w.WriteNumber("created_at", job.CreatedAt);
            if (job.FinishedAt is { } finished) w.WriteNumber("finished_at", finished);
            else w.WriteNull("finished_at");
            if (job.FineTunedModel is { } ft) w.WriteString("fine_tuned_model", ft);
            else w.WriteNull("fine_tuned_model");
            w.WriteString("organization_id", "org-dspy-sim");
            w.WriteStartArray("result_files");
            w.WriteEndArray();
            w.WriteString("status", job.Status);
            w.WriteNull("validation_file");
            w.WriteString("training_file", job.TrainingFile);
            w.WritePropertyName("hyperparameters");
            w.WriteRawValue(job.Hyperparameters);
            if (job.TrainedTokens is { } tokens) w.WriteNumber("trained_tokens", tokens);
            else w.WriteNull("trained_tokens");
            if (job.Error is { } error)
            {
                w.WriteStartObject("error");
                w.WriteString("code", error.Code);
                w.WriteString("message", error.Message);
                w.WriteString("param", "training_file");
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("error");
            }
            w.WriteNull("estimated_finish");
            if (job.Metadata is { } metadata)
            {
                w.WriteStartObject("metadata");
                foreach (var (key, value) in metadata) w.WriteString(key, value);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("metadata");
            }
            w.WriteEndObject();
        }
    }
}
