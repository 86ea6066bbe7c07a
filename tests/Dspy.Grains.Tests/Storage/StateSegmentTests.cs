using System.Globalization;
using Azure.Storage.Blobs;

namespace Dspy.Grains.Tests.Storage;

/// <summary>How a growing map's blob segments merge (seen through a candidate's scores on Azurite, an inline limit of 0).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StateSegmentTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Forty_saves_keep_ten_segments_later_scores_win_and_merged_segments_are_deleted()
    {
        var storage = new AzureStateCluster(azurite, "Segments");
        await using var cluster = await storage.StartAsync(inlineLimit: 0);
        var key = GrainKeys.Candidate("segments", "c1");
        var candidate = cluster.Client.GetGrain<IProgramCandidateGrain>(key);
        var expected = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < 40; i++)
        {
            // Save 20 replaces the score of save 3: the newer value sits in a later segment than the older one.
            var (id, score) = i == 20 ? (Id(3), 0.5) : (Id(i), i / 100.0);
            await candidate.RecordScoresAsync([new ExampleScore(id, score)]);
            expected[id] = score;
        }

        // Each save spilled one segment; 16 of a level merge into one of the next: 40 = 2 x 16 + 8.
        var segments = (await storage.StateAsync<CandidateState>("dspy-candidate", key, "candidate")).ScoreSegments!;
        Assert.Equal([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], segments.Select(s => s.Level));
        Assert.Equal([16, 16, 1, 1, 1, 1, 1, 1, 1, 1], segments.Select(s => s.Count));
        var prefix = $"candidates/{Uri.EscapeDataString(key)}/";
        var stored = new List<string>();
        await foreach (var blob in new BlobContainerClient(azurite.ConnectionString, storage.Container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None)) stored.Add(blob.Name);
        Assert.Equal(segments.Select(s => s.Blob).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));

        await cluster.DeactivateAsync(candidate);
        Assert.Equal(expected.Select(kv => new ExampleScore(kv.Key, kv.Value)), await candidate.GetScoresAsync());
    }

    private static string Id(int i) => DatasetExample.Hash(i.ToString(CultureInfo.InvariantCulture));
}
