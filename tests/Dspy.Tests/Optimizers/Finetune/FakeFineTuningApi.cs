using System.Net;
using System.Text;
using System.Web;

namespace Dspy.Tests.Optimizers;

/// <summary>
/// OpenAI's files and fine-tuning endpoints as an in-memory <see cref="HttpMessageHandler"/>: uploads, job creation (with
/// metadata), status reads (a job succeeds on its <see cref="PollsToFinish"/>-th read, or fails when <see cref="FailNext"/>
/// was set at its creation) and the job list filtered by metadata. Counts what a real provider would bill.
/// </summary>
internal sealed class FakeFineTuningApi : HttpMessageHandler
{
    private readonly Lock _lock = new();
    private readonly List<Job> _jobs = [];
    private int _files;

    public sealed class Job
    {
        public required string Id { get; init; }
        public required string Model { get; init; }
        public required string TrainingFile { get; init; }
        public required Dictionary<string, object?>? Metadata { get; init; }
        public required bool Fails { get; init; }
        public string Status { get; set; } = "queued";
        public int Polls { get; set; }
    }

    /// <summary>Status reads after which a job ends (int.MaxValue: it never ends).</summary>
    public int PollsToFinish { get; set; } = 2;

    /// <summary>The next job created fails instead of succeeding.</summary>
    public bool FailNext { get; set; }

    /// <summary>Answers the job list unfiltered, as a server that does not know the metadata filter would.</summary>
    public bool IgnoreMetadataFilter { get; set; }

    /// <summary>Called (under no lock) after each job is created, with the job.</summary>
    public Action<Job>? Created { get; set; }

    public IReadOnlyList<Job> Jobs
    {
        get
        {
            lock (_lock) return [.. _jobs];
        }
    }

    public int Uploads
    {
        get
        {
            lock (_lock) return _files;
        }
    }

    public int Lists { get; private set; }

    /// <summary>Forgets every job (a provider that no longer knows them).</summary>
    public void Forget()
    {
        lock (_lock) _jobs.Clear();
    }

    public HttpClient Client() => new(this, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Post && path.EndsWith("/files", StringComparison.Ordinal))
        {
            lock (_lock) return Json(new Dictionary<string, object?> { ["id"] = $"file-{++_files}", ["object"] = "file", ["purpose"] = "fine-tune" });
        }
        if (request.Method == HttpMethod.Post && path.EndsWith("/fine_tuning/jobs", StringComparison.Ordinal))
        {
            var body = (Dictionary<string, object?>)ValueModel.ParseJson(await request.Content!.ReadAsStringAsync(cancellationToken))!;
            Job job;
            lock (_lock)
            {
                job = new Job
                {
                    Id = $"ftjob-{_jobs.Count + 1}", Model = (string)body["model"]!, TrainingFile = (string)body["training_file"]!,
                    Metadata = body.GetValueOrDefault("metadata") as Dictionary<string, object?>, Fails = FailNext,
                };
                FailNext = false;
                _jobs.Add(job);
            }
            Created?.Invoke(job);
            return Json(Describe(job));
        }
        if (request.Method == HttpMethod.Get && path.EndsWith("/fine_tuning/jobs", StringComparison.Ordinal))
        {
            var query = HttpUtility.ParseQueryString(request.RequestUri.Query);
            List<Dictionary<string, object?>> data;
            lock (_lock)
            {
                Lists++;
                var key = query["metadata[dspy_request_key]"];
                data = _jobs.AsEnumerable().Reverse()
                    .Where(j => IgnoreMetadataFilter || key is null || j.Metadata?.GetValueOrDefault("dspy_request_key") as string == key)
                    .Select(Describe).ToList();
            }
            return Json(new Dictionary<string, object?> { ["object"] = "list", ["data"] = data.Cast<object?>().ToList(), ["has_more"] = false });
        }
        if (request.Method == HttpMethod.Get && path.Contains("/fine_tuning/jobs/", StringComparison.Ordinal))
        {
            var id = path[(path.LastIndexOf('/') + 1)..];
            lock (_lock)
            {
                if (_jobs.FirstOrDefault(j => j.Id == id) is not { } job)
                {
                    return Json(new Dictionary<string, object?> { ["error"] = new Dictionary<string, object?> { ["message"] = $"No fine-tuning job found with id {id}" } },
                        HttpStatusCode.NotFound);
                }
                if (job.Status is "queued" or "running" && ++job.Polls >= PollsToFinish) job.Status = job.Fails ? "failed" : "succeeded";
                else if (job.Status == "queued") job.Status = "running";
                return Json(Describe(job));
            }
        }
        return Json(new Dictionary<string, object?> { ["error"] = new Dictionary<string, object?> { ["message"] = "unknown route " + path } }, HttpStatusCode.NotFound);
    }

    private static Dictionary<string, object?> Describe(Job job) => new()
    {
        ["id"] = job.Id,
        ["object"] = "fine_tuning.job",
        ["model"] = job.Model,
        ["training_file"] = job.TrainingFile,
        ["status"] = job.Status,
        ["fine_tuned_model"] = job.Status == "succeeded" ? $"ft:{job.Model}:fake::{job.Id}" : null,
        ["error"] = job.Status == "failed" ? new Dictionary<string, object?> { ["message"] = "the fake job failed" } : null,
        ["metadata"] = job.Metadata,
    };

    private static HttpResponseMessage Json(Dictionary<string, object?> body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(PythonJson.Dumps(body), Encoding.UTF8, "application/json") };
}
