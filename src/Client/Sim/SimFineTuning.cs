using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy.Cli;

/// <summary>
/// The simulated LM server's fine-tuning state (OpenAI's files and fine-tuning jobs), in memory. A job validates its
/// training file (JSONL chat records, at least 10, each with an assistant message), moves <c>queued</c> -&gt;
/// <c>running</c> -&gt; <c>succeeded</c> (or <c>failed</c>) one step per status read, and its fine-tuned model then
/// answers chat requests as the simulator does with demos: the nearest training examples (same system prompt, most
/// similar last user message) are put before the request's last user message, so the model has "learned" its data.
/// Names depend only on the data, the base model and the hyperparameters, so re-running a job gives the same model name.
/// A job can also be made to take time (<paramref name="duration"/>): it succeeds on the first status read that is both
/// the <paramref name="pollsToFinish"/>-th or later and at least that long after its creation, as a real job runs on
/// whether anyone reads it or not. Jobs carry OpenAI's <c>metadata</c> and are listed newest first, filtered by it.
/// </summary>
internal sealed class SimFineTuning(int pollsToFinish, TimeSpan duration, TimeProvider time)
{
    /// <summary>OpenAI's limits on a job's metadata: pairs, key length, value length.</summary>
    public const int MaxMetadataPairs = 16, MaxMetadataKey = 64, MaxMetadataValue = 512;

    /// <summary>OpenAI's minimum number of training examples.</summary>
    public const int MinExamples = 10;

    /// <summary>Training examples shown to the fine-tuned model per request.</summary>
    public const int Neighbours = 8;

    private static readonly string[] Purposes = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"];

    private readonly ConcurrentDictionary<string, SimFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimJob> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimTunedModel> _models = new(StringComparer.Ordinal);
    private int _counter;
    private long _jobsCreated, _filesUploaded;

    internal sealed record SimFile(string Id, string FileName, string Purpose, string Content, long CreatedAt);

    internal sealed class SimJob
    {
        public required string Id { get; init; }
        public required string Model { get; init; }
        public required string TrainingFile { get; init; }
        public required string Hyperparameters { get; init; }
        public required long CreatedAt { get; init; }
        public required DateTimeOffset Created { get; init; }
        public required long Sequence { get; init; }
        public IReadOnlyDictionary<string, string>? Metadata { get; init; }
        public string Status { get; set; } = "queued";
        public int Polls { get; set; }
        public string? FineTunedModel { get; set; }
        public long? FinishedAt { get; set; }
        public long? TrainedTokens { get; set; }
        public (string Code, string Message)? Error { get; set; }
    }

    internal sealed record TrainingPair(string System, string User, string Assistant);

    internal sealed record SimTunedModel(string Name, IReadOnlyList<TrainingPair> Pairs, HashedTfIdfVectorizer Vectorizer, float[][] Vectors);

    /// <summary>The fine-tuned models created so far.</summary>
    public IReadOnlyCollection<string> Models => [.. _models.Keys];

    /// <summary>Fine-tuning jobs created so far (each one a paid job on a real provider).</summary>
    public long JobsCreated => Interlocked.Read(ref _jobsCreated);

    /// <summary>Files uploaded so far.</summary>
    public long FilesUploaded => Interlocked.Read(ref _filesUploaded);

    /// <summary>The jobs created so far, oldest first.</summary>
    public IReadOnlyList<SimJob> Jobs => [.. _jobs.Values.OrderBy(j => j.Sequence)];

    public static bool IsPurpose(string purpose) => Purposes.Contains(purpose, StringComparer.Ordinal);

    public SimFile AddFile(string fileName, string purpose, string content)
    {
        var n = Interlocked.Increment(ref _counter);
        var id = "file-" + Hash(content)[..16] + n.ToString("x4", CultureInfo.InvariantCulture);
        var file = new SimFile(id, fileName, purpose, content, time.GetUtcNow().ToUnixTimeSeconds());
        _files[id] = file;
        Interlocked.Increment(ref _filesUploaded);
        return file;
    }

    public SimFile? GetFile(string id) => _files.GetValueOrDefault(id);

    /// <summary>Creates a job, or returns the reason the request is invalid (OpenAI answers those with 400).</summary>
    public (SimJob? Job, string? Error) CreateJob(string? model, string? trainingFile, string hyperparameters, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (string.IsNullOrEmpty(model)) return (null, "Missing required parameter: 'model'.");
        if (string.IsNullOrEmpty(trainingFile)) return (null, "Missing required parameter: 'training_file'.");
        if (GetFile(trainingFile) is not { } file) return (null, $"invalid training_file: {trainingFile}");
        if (file.Purpose != "fine-tune") return (null, $"File {trainingFile} has purpose '{file.Purpose}', but fine-tuning needs purpose 'fine-tune'.");
        if (metadata is not null && MetadataError(metadata) is { } invalid) return (null, invalid);
        var n = Interlocked.Increment(ref _counter);
        var now = time.GetUtcNow();
        var job = new SimJob
        {
            Id = "ftjob-" + Hash(file.Content + "|" + model + "|" + hyperparameters)[..16] + n.ToString("x4", CultureInfo.InvariantCulture),
            Model = model,
            TrainingFile = trainingFile,
            Hyperparameters = hyperparameters,
            CreatedAt = now.ToUnixTimeSeconds(),
            Created = now,
            Sequence = n,
            Metadata = metadata,
        };
        _jobs[job.Id] = job;
        Interlocked.Increment(ref _jobsCreated);
        return (job, null);
    }

    /// <summary>
    /// OpenAI's <c>GET /fine_tuning/jobs</c>: newest first, the jobs after (older than) <paramref name="after"/>, at most
    /// <paramref name="limit"/>, those whose metadata has every pair of <paramref name="metadata"/> (or, with
    /// <paramref name="noMetadata"/>, no metadata at all). Listing reads no job's status, so it moves none on.
    /// </summary>
    public (IReadOnlyList<SimJob> Jobs, bool HasMore) List(string? after, int limit, IReadOnlyDictionary<string, string> metadata, bool noMetadata)
    {
        var jobs = _jobs.Values.OrderByDescending(j => j.Sequence).AsEnumerable();
        if (after is not null) jobs = _jobs.TryGetValue(after, out var cursor) ? jobs.Where(j => j.Sequence < cursor.Sequence) : [];
        jobs = noMetadata
            ? jobs.Where(j => j.Metadata is not { Count: > 0 })
            : jobs.Where(j => metadata.All(kv => j.Metadata?.GetValueOrDefault(kv.Key) == kv.Value));
        var page = jobs.Take(limit + 1).ToList();
        return (page.Take(limit).ToList(), page.Count > limit);
    }

    /// <summary>Why <paramref name="metadata"/> is not valid job metadata (OpenAI's limits), or null.</summary>
    public static string? MetadataError(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count > MaxMetadataPairs) return $"Invalid 'metadata': too many properties. Expected an object with at most {MaxMetadataPairs} properties, but got {metadata.Count}.";
        foreach (var (key, value) in metadata)
        {
            if (key.Length > MaxMetadataKey) return $"Invalid 'metadata': key '{key}' is longer than {MaxMetadataKey} characters.";
            if (value.Length > MaxMetadataValue) return $"Invalid 'metadata': the value of '{key}' is longer than {MaxMetadataValue} characters.";
        }
        return null;
    }

    /// <summary>Reads a job's status, moving it one step on (the way a real job progresses between polls).</summary>
    public SimJob? Poll(string id)
    {
        if (!_jobs.TryGetValue(id, out var job)) return null;
        lock (job)
        {
            if (job.Status is "succeeded" or "failed" or "cancelled") return job;
            job.Polls++;
            if (job.Polls == 1)
            {
                // Validation happens first, as OpenAI's validating_files step: a bad file fails the job.
                var (pairs, error) = Validate(_files[job.TrainingFile].Content);
                if (error is not null)
                {
                    job.Status = "failed";
                    job.Error = ("invalid_training_file", error);
                    job.FinishedAt = time.GetUtcNow().ToUnixTimeSeconds();
                    return job;
                }
                job.Status = "running";
            }
            if (job.Polls >= pollsToFinish && time.GetUtcNow() - job.Created >= duration)
            {
                var file = _files[job.TrainingFile];
                var (pairs, _) = Validate(file.Content);
                var name = $"ft:{job.Model}:dspy-sim::{Hash(file.Content + "|" + job.Model + "|" + job.Hyperparameters)[..8]}";
                var vectorizer = HashedTfIdfVectorizer.Fit(pairs!.Select(p => p.User));
                _models[name] = new SimTunedModel(name, pairs!, vectorizer, [.. pairs!.Select(p => vectorizer.Embed(p.User))]);
                job.FineTunedModel = name;
                job.TrainedTokens = pairs!.Sum(p => (long)SimTokenCounter.Count(p.System) + SimTokenCounter.Count(p.User) + SimTokenCounter.Count(p.Assistant));
                job.Status = "succeeded";
                job.FinishedAt = time.GetUtcNow().ToUnixTimeSeconds();
            }
            return job;
        }
    }

    /// <summary>True when <paramref name="model"/> names a fine-tuned model (known or not).</summary>
    public static bool IsFineTunedName(string model) => model.StartsWith("ft:", StringComparison.Ordinal);

    /// <summary>The request's messages with the fine-tuned model's nearest training examples inserted as demos; null for an unknown model.</summary>
    public List<ChatMessage>? Augment(string model, List<ChatMessage> messages)
    {
        if (!_models.TryGetValue(model, out var tuned)) return null;
        var last = messages.FindLastIndex(m => m.Role == ChatRole.User);
        if (last < 0) return messages;
        var system = messages.FirstOrDefault(m => m.Role == ChatRole.System)?.Text ?? "";
        var query = tuned.Vectorizer.Embed(messages[last].Text);
        // The examples of the same task (system prompt) when there are any; a multitask model holds several tasks.
        var candidates = Enumerable.Range(0, tuned.Pairs.Count).Where(i => tuned.Pairs[i].System == system).ToList();
        if (candidates.Count == 0) candidates = [.. Enumerable.Range(0, tuned.Pairs.Count)];
        var nearest = candidates
            .Select(i => (i, score: tuned.Vectors[i].Zip(query, (a, b) => (double)a * b).Sum()))
            .OrderByDescending(x => x.score).ThenBy(x => x.i)
            .Take(Neighbours).Reverse() // most similar closest to the question
            .SelectMany(x => new[] { new ChatMessage(ChatRole.User, tuned.Pairs[x.i].User), new ChatMessage(ChatRole.Assistant, tuned.Pairs[x.i].Assistant) });
        return [.. messages.Take(last), .. nearest, .. messages.Skip(last)];
    }

    /// <summary>Parses the training file: one chat record per line; the last user/assistant exchange of each is what is learned.</summary>
    internal static (List<TrainingPair>? Pairs, string? Error) Validate(string content)
    {
        var pairs = new List<TrainingPair>();
        var lineNumber = 0;
        foreach (var line in content.Split('\n'))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (!doc.RootElement.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array)
                    return (null, $"Line {lineNumber}: each example must be an object with a 'messages' array.");
                var list = new List<(string Role, string Content)>();
                foreach (var m in msgs.EnumerateArray())
                {
                    var role = m.TryGetProperty("role", out var r) ? r.GetString() : null;
                    if (role is not ("system" or "user" or "assistant" or "tool"))
                        return (null, $"Line {lineNumber}: invalid role '{role}'; roles are system, user, assistant and tool.");
                    list.Add((role, m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : ""));
                }
                var answer = list.FindLastIndex(m => m.Role == "assistant");
                if (answer < 0) return (null, $"Line {lineNumber}: each example must have at least one assistant message.");
                var question = list.FindLastIndex(answer, m => m.Role == "user");
                pairs.Add(new TrainingPair(list.FirstOrDefault(m => m.Role == "system").Content ?? "", question < 0 ? "" : list[question].Content, list[answer].Content));
            }
            catch (JsonException e)
            {
                return (null, $"Line {lineNumber} is not valid JSON: {e.Message}");
            }
        }
        if (pairs.Count < MinExamples) return (null, $"Training file has {pairs.Count} example(s), but must have at least {MinExamples} examples");
        return (pairs, null);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
