using System.Collections.Concurrent;
using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Optimizers;

/// <summary>
/// A fine-tuning request is never paid for twice: <see cref="OpenAIFinetuneProvider"/> with an <see cref="IFinetuneJobStore"/>
/// re-attaches to the job an interrupted call started, wherever the interruption fell, against a fake OpenAI API that
/// counts the jobs created.
/// </summary>
public class FinetuneJobResumeTests
{
    private static readonly LM Base = new("openai/base-model", apiKey: "k", apiBase: "http://fake.test/v1", cache: false);

    private static List<IReadOnlyDictionary<string, object?>> Data(int n, string answer = "a") => [.. Enumerable.Range(0, n).Select(i =>
        (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["messages"] = new List<object?>
            {
                new Dictionary<string, object?> { ["role"] = "user", ["content"] = $"q{i}" },
                new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = $"{answer}{i}" },
            },
        })];

    private static OpenAIFinetuneProvider Provider(FakeFineTuningApi api) =>
        new() { PollInterval = TimeSpan.Zero, InitialPollInterval = TimeSpan.Zero, HttpClientFactory = api.Client };

    /// <summary>An in-memory store that can be made to fail a chosen write, as a process dying there would.</summary>
    private sealed class MemoryStore : IFinetuneJobStore
    {
        public ConcurrentDictionary<string, FinetuneJobRecord> Records { get; } = new(StringComparer.Ordinal);

        public int Puts { get; private set; }

        /// <summary>The write (1-based, counted from now) that throws instead of storing.</summary>
        public int? FailPut { get; set; }

        public ValueTask<FinetuneJobRecord?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Records.GetValueOrDefault(key));

        public ValueTask PutAsync(FinetuneJobRecord record, CancellationToken cancellationToken = default)
        {
            Puts++;
            if (FailPut == Puts) throw new IOException($"write {Puts} failed (the process died here)");
            Records[record.Key] = record;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task The_same_request_again_re_attaches_to_its_job_and_starts_none()
    {
        var api = new FakeFineTuningApi();
        var store = new MemoryStore();

        var first = await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);
        var again = await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);

        Assert.Single(api.Jobs);
        Assert.Equal(1, api.Uploads);
        Assert.False(first.Resumed);
        Assert.True(again.Resumed);
        Assert.Equal(first.FinetunedModel, again.FinetunedModel);
        Assert.Equal(first.JobId, again.JobId);
        Assert.Equal("openai/" + first.FinetunedModel, again.FinetunedLm.Model);
        var record = Assert.Single(store.Records.Values);
        Assert.Equal(FinetuneJobState.Succeeded, record.State);
        Assert.Equal((first.JobId, first.TrainingFileId, first.FinetunedModel, 1), (record.JobId, record.TrainingFileId, record.FinetunedModel, record.Attempt));
        // The job carries the request key, so it can be found even if its id was never recorded.
        Assert.Equal(record.Key, api.Jobs[0].Metadata!["dspy_request_key"]);
        Assert.Equal(0, api.Lists);
    }

    [Fact]
    public async Task A_call_cancelled_while_its_job_runs_leaves_the_job_running_and_the_re_run_waits_for_it()
    {
        var api = new FakeFineTuningApi { PollsToFinish = int.MaxValue };
        var store = new MemoryStore();
        using var cancel = new CancellationTokenSource();
        api.Created = _ => cancel.CancelAfter(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store, cancel.Token));
        var running = Assert.Single(store.Records.Values);
        Assert.Equal(FinetuneJobState.Running, running.State);
        Assert.Equal(api.Jobs[0].Id, running.JobId);

        api.PollsToFinish = api.Jobs[0].Polls + 2;
        var resumed = await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);

        Assert.Single(api.Jobs);
        Assert.True(resumed.Resumed);
        Assert.Equal(api.Jobs[0].Id, resumed.JobId);
        Assert.Equal(FinetuneJobState.Succeeded, store.Records[running.Key].State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dying_between_creating_the_job_and_recording_it_finds_the_job_by_its_tag(bool serverIgnoresTheFilter)
    {
        var api = new FakeFineTuningApi { IgnoreMetadataFilter = serverIgnoresTheFilter };
        var store = new MemoryStore { FailPut = 2 }; // 1: before the job is created; 2: its id, right after
        await Assert.ThrowsAsync<IOException>(() => Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store));
        // Another request's job on the same account, newer than ours (listed first when the filter is ignored): never taken for ours.
        await Provider(api).FinetuneAsync(Base, Data(12), TrainDataFormat.Chat, null, new MemoryStore());
        var creating = Assert.Single(store.Records.Values);
        Assert.Equal(FinetuneJobState.Creating, creating.State);
        Assert.Null(creating.JobId);
        Assert.Equal(2, api.Jobs.Count);

        var resumed = await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);

        Assert.Equal(2, api.Jobs.Count);
        Assert.Equal(2, api.Uploads);
        Assert.True(resumed.Resumed);
        Assert.Equal("ftjob-1", resumed.JobId);
        Assert.Equal(creating.TrainingFileId, resumed.TrainingFileId);
        Assert.Equal(1, api.Lists);
    }

    [Fact]
    public async Task Dying_before_the_job_is_created_creates_it_on_the_re_run()
    {
        var api = new FakeFineTuningApi();
        var store = new MemoryStore { FailPut = 1 };
        await Assert.ThrowsAsync<IOException>(() => Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store));
        Assert.Empty(api.Jobs); // the record comes first: no job without it
        Assert.Empty(store.Records);

        var job = await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);

        Assert.Single(api.Jobs);
        Assert.False(job.Resumed);
        Assert.Equal(2, api.Uploads); // the first upload was never recorded: an orphaned file, not a second job
    }

    [Fact]
    public async Task A_failed_job_fails_the_call_that_sees_it_and_the_next_call_starts_a_new_attempt()
    {
        var api = new FakeFineTuningApi { FailNext = true };
        var store = new MemoryStore();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store));
        Assert.Contains("ended with status 'failed': the fake job failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("running the same fine-tuning again starts a new job", e.Message, StringComparison.Ordinal);
        var failed = Assert.Single(store.Records.Values);
        Assert.Equal((FinetuneJobState.Failed, "ftjob-1", "the fake job failed"), (failed.State, failed.JobId, failed.Error));

        var retried = await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);

        Assert.Equal(2, api.Jobs.Count);
        Assert.False(retried.Resumed);
        Assert.Equal("ftjob-2", retried.JobId);
        var record = store.Records[failed.Key];
        Assert.Equal((FinetuneJobState.Succeeded, 2), (record.State, record.Attempt));
        Assert.Equal(["ftjob-1"], record.PreviousJobIds);
    }

    [Fact]
    public async Task A_job_that_failed_while_nobody_watched_fails_the_resumed_call_as_it_would_have_failed_the_first()
    {
        var api = new FakeFineTuningApi { FailNext = true, PollsToFinish = int.MaxValue };
        var store = new MemoryStore();
        using var cancel = new CancellationTokenSource();
        api.Created = _ => cancel.CancelAfter(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store, cancel.Token));

        api.PollsToFinish = 1;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store));

        Assert.Single(api.Jobs);
        Assert.Equal(FinetuneJobState.Failed, Assert.Single(store.Records.Values).State);
    }

    [Fact]
    public async Task A_record_naming_a_job_the_provider_no_longer_knows_starts_a_new_attempt()
    {
        var api = new FakeFineTuningApi();
        var store = new MemoryStore();
        await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);
        api.Forget();

        var job = await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);

        Assert.False(job.Resumed);
        var record = Assert.Single(store.Records.Values);
        Assert.Equal(2, record.Attempt);
        Assert.Equal(["ftjob-1"], record.PreviousJobIds);
    }

    [Fact]
    public async Task Other_data_kwargs_or_format_are_other_requests_and_other_jobs()
    {
        var api = new FakeFineTuningApi();
        var store = new MemoryStore();
        var epochs = new Dictionary<string, object?> { ["n_epochs"] = 2L };

        await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store);
        await Provider(api).FinetuneAsync(Base, Data(10, answer: "b"), TrainDataFormat.Chat, null, store);
        await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, epochs, store);
        await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Completion, null, store);
        await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, new Dictionary<string, object?> { ["n_epochs"] = 2L }, store);

        Assert.Equal(4, api.Jobs.Count);
        Assert.Equal(4, store.Records.Count);
    }

    [Fact]
    public async Task Without_a_store_every_call_starts_a_job_and_concurrent_identical_requests_with_one_share_a_job()
    {
        var api = new FakeFineTuningApi();
        await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null);
        await Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null);
        Assert.Equal(2, api.Jobs.Count);

        var store = new MemoryStore();
        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Provider(api).FinetuneAsync(Base, Data(11), TrainDataFormat.Chat, null, store)));

        Assert.Equal(3, api.Jobs.Count);
        Assert.Equal(both[0].JobId, both[1].JobId);
        Assert.Single(both, j => j.Resumed);
    }

    [Fact]
    public void The_request_key_covers_model_endpoint_format_kwargs_and_data_and_nothing_else()
    {
        var key = FinetuneRequestKey.Compute("openai", "m", "http://a/v1", TrainDataFormat.Chat, new Dictionary<string, object?> { ["n_epochs"] = 3L, ["batch_size"] = 1L }, "x\n");

        Assert.True(FinetuneRequestKey.IsKey(key));
        Assert.Equal(key, FinetuneRequestKey.Compute("openai", "m", "http://a/v1", TrainDataFormat.Chat,
            new Dictionary<string, object?> { ["batch_size"] = 1L, ["n_epochs"] = 3L }, "x\n"));
        string[] others =
        [
            FinetuneRequestKey.Compute("openai", "m2", "http://a/v1", TrainDataFormat.Chat, new Dictionary<string, object?> { ["n_epochs"] = 3L, ["batch_size"] = 1L }, "x\n"),
            FinetuneRequestKey.Compute("openai", "m", "http://b/v1", TrainDataFormat.Chat, new Dictionary<string, object?> { ["n_epochs"] = 3L, ["batch_size"] = 1L }, "x\n"),
            FinetuneRequestKey.Compute("openai", "m", "http://a/v1", TrainDataFormat.Completion, new Dictionary<string, object?> { ["n_epochs"] = 3L, ["batch_size"] = 1L }, "x\n"),
            FinetuneRequestKey.Compute("openai", "m", "http://a/v1", TrainDataFormat.Chat, new Dictionary<string, object?> { ["n_epochs"] = 4L, ["batch_size"] = 1L }, "x\n"),
            FinetuneRequestKey.Compute("openai", "m", "http://a/v1", TrainDataFormat.Chat, null, "x\n"),
            FinetuneRequestKey.Compute("openai", "m", "http://a/v1", TrainDataFormat.Chat, new Dictionary<string, object?> { ["n_epochs"] = 3L, ["batch_size"] = 1L }, "y\n"),
        ];
        Assert.Equal(others.Length, others.Append(key).Distinct().Count() - 1);
        Assert.False(FinetuneRequestKey.IsKey("../" + key[3..]));
    }

    [Fact]
    public async Task The_job_folder_round_trips_a_record_and_refuses_what_it_cannot_read()
    {
        var dir = Directory.CreateTempSubdirectory("dspy-ft-jobs-").FullName;
        try
        {
            var folder = new FinetuneJobFolder(Path.Combine(dir, "jobs"));
            var key = FinetuneRequestKey.Compute("openai", "m", "e", TrainDataFormat.Chat, null, "x");
            Assert.Null(await folder.GetAsync(key));
            Assert.False(Directory.Exists(folder.Directory)); // created on the first write

            var record = new FinetuneJobRecord
            {
                Key = key, Provider = "openai", BaseModel = "m", Endpoint = "e", State = FinetuneJobState.Failed, TrainingFileId = "file-1", JobId = "job-2",
                ProviderStatus = "failed", Error = "bad file", Attempt = 2, PreviousJobIds = ["job-1"], TrainExamples = 12,
                UpdatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            };
            await folder.PutAsync(record);
            var read = await folder.GetAsync(key);
            Assert.Equal(record with { PreviousJobIds = [] }, read! with { PreviousJobIds = [] });
            Assert.Equal(record.PreviousJobIds, read.PreviousJobIds);
            await folder.PutAsync(record with { State = FinetuneJobState.Succeeded });
            Assert.Equal(FinetuneJobState.Succeeded, (await folder.GetAsync(key))!.State);
            Assert.Equal([key + ".json"], Directory.GetFiles(folder.Directory).Select(Path.GetFileName));

            // A write killed before its rename leaves its temporary file: the next write removes it once it is stale, and
            // leaves a fresh one (a write in progress elsewhere) alone.
            var stale = Path.Combine(folder.Directory, $".{key}.{Guid.NewGuid():N}.tmp");
            var fresh = Path.Combine(folder.Directory, $".{key}.{Guid.NewGuid():N}.tmp");
            await File.WriteAllTextAsync(stale, "{\"key\": ");
            await File.WriteAllTextAsync(fresh, "{\"key\": ");
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - TimeSpan.FromMinutes(5));
            await folder.PutAsync(record);
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(fresh));
            Assert.Equal(record.State, (await folder.GetAsync(key))!.State);
            File.Delete(fresh);

            await File.WriteAllTextAsync(folder.PathOf(key), "{\"key\": ");
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => folder.GetAsync(key).AsTask());
            Assert.Contains("delete it to start a new job", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => folder.PathOf("../escape"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void An_lm_remembers_its_jobs_next_to_its_disk_cache_and_one_without_a_disk_cache_nowhere()
    {
        var dir = Directory.CreateTempSubdirectory("dspy-ft-cache-").FullName;
        try
        {
            var cached = new LM("openai/m") { CacheStore = new Cache(enableDiskCache: true, enableMemoryCache: true, diskCacheDir: dir) };
            Assert.Equal(Path.Combine(dir, "finetune-jobs"), FinetuneJobFolder.ForLm(cached)!.Directory);
            Assert.Null(FinetuneJobFolder.ForLm(new LM("openai/m", cache: false)));
            Assert.Null(FinetuneJobFolder.ForLm(new LM("openai/m") { CacheStore = new Cache(enableDiskCache: false, enableMemoryCache: true) }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_dry_run_starts_nothing_and_records_nothing()
    {
        var api = new FakeFineTuningApi();
        var store = new MemoryStore();
        var student = new Predict(TestSignatures.QA());
        student.SetLm(new LM("openai/base-model", apiKey: "k", apiBase: "http://fake.test/v1", cache: false));

        await DryRun.ProjectAsync(new BootstrapFinetune(new BootstrapFinetuneOptions { Provider = Provider(api), JobStore = store }), student,
            LabeledFewShotTests.Trainset(12));
        Assert.Empty(api.Jobs);
        Assert.Equal(0, store.Puts);

        // Called directly under a projection, the provider refuses rather than spend.
        using var projection = Settings.Context(s => s with { Projection = new LMProjection() });
        await Assert.ThrowsAsync<InvalidOperationException>(() => Provider(api).FinetuneAsync(Base, Data(10), TrainDataFormat.Chat, null, store));
        Assert.Equal(0, api.Uploads);
    }
}
