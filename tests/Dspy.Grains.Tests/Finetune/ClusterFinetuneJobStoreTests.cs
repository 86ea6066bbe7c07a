namespace Dspy.Grains.Tests.Finetune;

/// <summary>The cluster's fine-tuning job store: one grain per request key, holding the library's record whole.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFinetuneJobStoreTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_record_round_trips_through_its_grain_and_a_record_of_another_request_is_refused()
    {
        var store = new ClusterFinetuneJobStore(fixture.Grains);
        var key = FinetuneRequestKey.Compute("openai", "sim", "http://127.0.0.1:1/v1", TrainDataFormat.Chat, null, "cluster store test " + Guid.NewGuid());
        Assert.Null(await store.GetAsync(key));

        var record = new FinetuneJobRecord
        {
            Key = key, Provider = "openai", BaseModel = "sim", Endpoint = "http://127.0.0.1:1/v1", State = FinetuneJobState.Running, TrainingFileId = "file-1",
            JobId = "ftjob-2", ProviderStatus = "queued", Attempt = 2, PreviousJobIds = ["ftjob-1"], TrainExamples = 30, UpdatedAt = DateTimeOffset.UnixEpoch,
        };
        await store.PutAsync(record);
        var read = (await store.GetAsync(key))!;
        Assert.Equal(record with { PreviousJobIds = [] }, read with { PreviousJobIds = [] });
        Assert.Equal(["ftjob-1"], read.PreviousJobIds);

        var other = FinetuneRequestKey.Compute("openai", "sim", "http://127.0.0.1:1/v1", TrainDataFormat.Chat, null, "another " + Guid.NewGuid());
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Grains.GetGrain<IFinetuneJobGrain>(other).PutAsync(record.ToJson()));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Grains.GetGrain<IFinetuneJobGrain>(other).PutAsync("{\"key\": "));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("not-a-key").AsTask());
        Assert.Null(await store.GetAsync(other));
    }
}
