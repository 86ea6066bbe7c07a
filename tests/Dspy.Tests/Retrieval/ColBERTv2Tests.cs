namespace Dspy.Tests.Retrieval;

public class ColBERTv2Tests
{
    private static readonly string[] Index =
    [
        "David Gregory inherited Kinnairdy Castle in 1664.",
        "Kinnairdy Castle is a tower house in Aberdeenshire, Scotland.",
        "The Eiffel Tower was completed in 1889.",
        "Gregory's son was a mathematician and astronomer.",
    ];

    [Fact]
    public async Task Get_request_returns_top_k_hits_with_long_text()
    {
        await using var server = new ColBERTTestServer(Index);
        var colbert = new ColBERTv2(server.BaseUrl + "/api/search");

        var hits = await colbert.CallAsync("Which castle did David Gregory inherit?", k: 2);

        Assert.Equal(2, hits.Count);
        Assert.Equal(Index[0], hits[0]["long_text"]);
        Assert.Equal(hits[0]["text"], hits[0]["long_text"]);
        Assert.Equal(0L, hits[0]["pid"]);
        Assert.Equal(1L, hits[1]["pid"]); // ties with pid 3 (one shared word each); the server ranks the lower pid first
        Assert.True(Convert.ToDouble(hits[0]["score"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        var seen = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/search", "Which castle did David Gregory inherit?", 2), (seen.Method, seen.Path, seen.Query, seen.K));
    }

    [Fact]
    public async Task Post_request_sends_json_and_port_is_appended_to_the_url()
    {
        await using var server = new ColBERTTestServer(Index);
        var colbert = new ColBERTv2("http://127.0.0.1", port: server.Port, postRequests: true);
        Assert.Equal(server.BaseUrl, colbert.Url);

        var texts = await colbert.SearchTextAsync("When was the Eiffel Tower completed?", k: 1);

        Assert.Equal([Index[2]], texts);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("POST", seen.Method);
        Assert.StartsWith("application/json", seen.ContentType, StringComparison.Ordinal);
        Assert.Equal(1, seen.K);
    }

    [Fact]
    public async Task Extra_hits_are_cut_to_k_and_repeated_queries_come_from_the_cache()
    {
        await using var server = new ColBERTTestServer(Index, extraHits: 2);
        var colbert = new ColBERTv2(server.BaseUrl);
        var first = await colbert.CallAsync("castle tower", k: 1);
        var second = await colbert.CallAsync("castle tower", k: 1);
        Assert.Single(first);
        Assert.Equal(first[0]["text"], second[0]["text"]);
        Assert.Single(server.Requests);
        await colbert.CallAsync("castle tower", k: 2);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Server_errors_and_malformed_answers_give_specific_errors()
    {
        await using var server = new ColBERTTestServer(Index);
        var colbert = new ColBERTv2(server.BaseUrl);

        server.Override = (500, "index not loaded");
        var http = await Assert.ThrowsAsync<HttpRequestException>(() => colbert.CallAsync("q1"));
        Assert.Contains("500", http.Message, StringComparison.Ordinal);
        Assert.Contains("index not loaded", http.Message, StringComparison.Ordinal);

        server.Override = (200, "{\"results\": []}");
        var noTopk = await Assert.ThrowsAsync<InvalidDataException>(() => colbert.CallAsync("q2"));
        Assert.Contains("no 'topk' list", noTopk.Message, StringComparison.Ordinal);

        server.Override = (200, "{\"topk\": [{\"pid\": 1}]}");
        var noText = await Assert.ThrowsAsync<InvalidDataException>(() => colbert.CallAsync("q3"));
        Assert.Contains("topk[0]", noText.Message, StringComparison.Ordinal);

        server.Override = (200, "not json");
        await Assert.ThrowsAsync<InvalidDataException>(() => colbert.CallAsync("q4"));

        // A failed answer is not cached: once the server is healthy the same query succeeds.
        server.Override = null;
        Assert.NotEmpty(await colbert.CallAsync("q1 castle"));
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_any_request()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new ColBERTv2("http://127.0.0.1:9").CallAsync("q", k: 101));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new ColBERTv2("http://127.0.0.1:9").CallAsync("q", k: 0));
        Assert.Throws<ArgumentException>(() => new ColBERTv2("not a url"));
        Assert.Throws<ArgumentException>(() => new ColBERTv2("ftp://example.invalid/search"));
    }
}
