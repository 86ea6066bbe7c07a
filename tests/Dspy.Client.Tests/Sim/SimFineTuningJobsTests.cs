using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dspy.Cli;

namespace Dspy.Client.Tests.Sim;

/// <summary>
/// <c>dspy sim serve</c>'s fine-tuning jobs as OpenAI shapes them: <c>metadata</c> on creation, the job list (newest first,
/// <c>limit</c>/<c>after</c> pages, <c>metadata[k]=v</c> and <c>metadata=null</c> filters), a job duration, the counts.
/// </summary>
public sealed class SimFineTuningJobsTests
{
    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private static async Task<string> UploadAsync(HttpClient http)
    {
        var line = "{\"messages\": [{\"role\": \"user\", \"content\": \"hello N\"}, {\"role\": \"assistant\", \"content\": \"world\"}]}\n";
        var data = string.Concat(Enumerable.Range(0, 10).Select(i => line.Replace("N", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        using var form = new MultipartFormDataContent { { new StringContent("fine-tune"), "purpose" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(data)), "file", "d.jsonl" } };
        return (await (await http.PostAsync("v1/files", form)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> CreateAsync(HttpClient http, string fileId, object? metadata)
    {
        var response = await http.PostAsJsonAsync("v1/fine_tuning/jobs", new { model = "sim", training_file = fileId, metadata });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<List<string>> ListAsync(HttpClient http, string query) =>
        [.. (await http.GetFromJsonAsync<JsonElement>("v1/fine_tuning/jobs" + query)).GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Jobs_carry_metadata_and_are_listed_newest_first_filtered_and_paged_as_openai_lists_them()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var file = await UploadAsync(http);

        var a = (await CreateAsync(http, file, new Dictionary<string, string> { ["dspy_request_key"] = "k1", ["team"] = "x" })).GetProperty("id").GetString()!;
        var b = (await CreateAsync(http, file, null)).GetProperty("id").GetString()!;
        var c = await CreateAsync(http, file, new Dictionary<string, string> { ["dspy_request_key"] = "k2" });
        Assert.Equal("k2", c.GetProperty("metadata").GetProperty("dspy_request_key").GetString());
        var cId = c.GetProperty("id").GetString()!;

        Assert.Equal([cId, b, a], await ListAsync(http, ""));
        Assert.Equal([a], await ListAsync(http, "?metadata%5Bdspy_request_key%5D=k1"));
        Assert.Equal([a], await ListAsync(http, "?metadata[dspy_request_key]=k1&metadata[team]=x"));
        Assert.Empty(await ListAsync(http, "?metadata[dspy_request_key]=k1&metadata[team]=y"));
        Assert.Equal([b], await ListAsync(http, "?metadata=null"));
        var first = await http.GetFromJsonAsync<JsonElement>("v1/fine_tuning/jobs?limit=2");
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal("list", first.GetProperty("object").GetString());
        Assert.Equal([a], await ListAsync(http, $"?limit=2&after={b}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("v1/fine_tuning/jobs?limit=0")).StatusCode);
        // Listing reads no status: the jobs are still queued.
        Assert.All((await http.GetFromJsonAsync<JsonElement>("v1/fine_tuning/jobs")).GetProperty("data").EnumerateArray(),
            j => Assert.Equal("queued", j.GetProperty("status").GetString()));

        var tooMany = await http.PostAsJsonAsync("v1/fine_tuning/jobs", new
        {
            model = "sim", training_file = file, metadata = Enumerable.Range(0, 17).ToDictionary(i => $"k{i}", i => "v"),
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("at most 16 properties", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var notStrings = await http.PostAsJsonAsync("v1/fine_tuning/jobs", new { model = "sim", training_file = file, metadata = new { n = 1 } });
        Assert.Equal(HttpStatusCode.BadRequest, notStrings.StatusCode);

        Assert.Equal(3, server.FineTuningJobsCreated);
        Assert.Equal(1, server.Stats.FilesUploaded);
        var stats = await http.GetFromJsonAsync<JsonElement>("sim/stats");
        Assert.Equal(3, stats.GetProperty("fine_tuning_jobs_created").GetInt64());
    }

    [Fact]
    public async Task A_job_with_a_duration_keeps_running_until_that_long_after_its_creation()
    {
        var clock = new ManualClock();
        await using var server = await SimServer.StartAsync(new SimServerOptions { FineTuningPolls = 2, FineTuningDuration = TimeSpan.FromMinutes(10) },
            new SimChatClient(), clock);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var id = (await CreateAsync(http, await UploadAsync(http), null)).GetProperty("id").GetString()!;

        for (var i = 0; i < 5; i++) Assert.Equal("running", (await http.GetFromJsonAsync<JsonElement>($"v1/fine_tuning/jobs/{id}")).GetProperty("status").GetString());
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("succeeded", (await http.GetFromJsonAsync<JsonElement>($"v1/fine_tuning/jobs/{id}")).GetProperty("status").GetString());
        Assert.Throws<ArgumentException>(() => new SimServerOptions { FineTuningDuration = TimeSpan.FromSeconds(-1) }.Validate());
    }
}
