using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.ColBERTv2(url, port=None, post_requests=False)</c>: a client for a ColBERT search server. A call sends
/// the query and k (GET <c>?query=...&amp;k=...</c>, or a POST with the JSON body <c>{"query", "k"}</c>), reads the response's
/// <c>topk</c> list (each hit has <c>text</c>, <c>score</c>, <c>pid</c>, ...) and returns the first k hits as dictionaries
/// with <c>long_text</c> set to <c>text</c> (DSPy's dotdicts). Requests time out after 10 s; k is at most 100, as the
/// hosted servers allow. Responses are cached in memory per (url, method, query, k), like DSPy's request cache.
/// </summary>
public sealed class ColBERTv2
{
    /// <summary>DSPy's per-request timeout.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The largest k the servers accept.</summary>
    public const int MaxK = 100;

    private static readonly HttpClient s_http = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    private static readonly MemoryLruCache<string> s_cache = new(10_000);

    private readonly HttpClient _http;

    /// <summary>Creates a client.</summary>
    /// <param name="url">The server's search URL, e.g. <c>http://localhost:8893/api/search</c>.</param>
    /// <param name="port">If given, appended to <paramref name="url"/> as <c>url:port</c> (DSPy's convention).</param>
    /// <param name="postRequests">POST a JSON body instead of a GET with query parameters.</param>
    /// <param name="httpClient">The HTTP client to use; a shared one by default.</param>
    public ColBERTv2(string url = "http://0.0.0.0", int? port = null, bool postRequests = false, HttpClient? httpClient = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        Url = port is { } p ? $"{url}:{p.ToString(CultureInfo.InvariantCulture)}" : url;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"ColBERTv2: '{Url}' is not an absolute http(s) URL.", nameof(url));
        }
        PostRequests = postRequests;
        _http = httpClient ?? s_http;
    }

    /// <summary>The search URL (with the port, if one was given).</summary>
    public string Url { get; }

    /// <summary>Whether queries are POSTed as JSON.</summary>
    public bool PostRequests { get; }

    /// <summary>Searches: the top <paramref name="k"/> hits, each a dictionary of the server's fields plus <c>long_text</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1 or above <see cref="MaxK"/>.</exception>
    /// <exception cref="HttpRequestException">The server answered with an error status or could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="Timeout"/>.</exception>
    /// <exception cref="InvalidDataException">The answer has no <c>topk</c> list of objects with <c>text</c>.</exception>
    public async Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(string query, int k = 10, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (k is < 1 or > MaxK) throw new ArgumentOutOfRangeException(nameof(k), k, $"ColBERTv2: k must be between 1 and {MaxK}.");
        var key = $"{(PostRequests ? "POST" : "GET")} {Url}\n{k.ToString(CultureInfo.InvariantCulture)}\n{query}";
        if (!s_cache.TryGet(key, out var body))
        {
            body = await SendAsync(query, k, cancellationToken).ConfigureAwait(false);
            // Parse before caching, so a malformed answer is not kept.
            _ = Parse(body, k);
            s_cache.Set(key, body);
        }
        return Parse(body, k);
    }

    /// <summary>DSPy's <c>simplify=True</c>: just the passages' text.</summary>
    public async Task<IReadOnlyList<string>> SearchTextAsync(string query, int k = 10, CancellationToken cancellationToken = default)
    {
        var hits = await CallAsync(query, k, cancellationToken).ConfigureAwait(false);
        return hits.Select(h => (string)h["long_text"]!).ToList();
    }

    private async Task<string> SendAsync(string query, int k, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = PostRequests
                ? new HttpRequestMessage(HttpMethod.Post, Url) { Content = JsonContent.Create(new Dictionary<string, object> { ["query"] = query, ["k"] = k }) }
                : new HttpRequestMessage(HttpMethod.Get, WithQuery(Url, query, k));
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var snippet = text.Length > 200 ? text[..200] + "..." : text;
                throw new HttpRequestException($"ColBERTv2 server {Url} answered {(int)response.StatusCode} {response.ReasonPhrase}: {snippet}", null, response.StatusCode);
            }
            return text;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"ColBERTv2 server {Url} did not answer within {Timeout.TotalSeconds:0} s.");
        }
    }

    private static string WithQuery(string url, string query, int k)
    {
        var separator = url.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return $"{url}{separator}query={Uri.EscapeDataString(query)}&k={k.ToString(CultureInfo.InvariantCulture)}";
    }

    private List<Dictionary<string, object?>> Parse(string body, int k)
    {
        object? parsed;
        try
        {
            parsed = ValueModel.ParseJson(body);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"ColBERTv2 server {Url} did not answer with JSON: {ex.Message}", ex);
        }
        if (parsed is not Dictionary<string, object?> root || !root.TryGetValue("topk", out var topk) || topk is not List<object?> hits)
        {
            throw new InvalidDataException($"ColBERTv2 server {Url}: the answer has no 'topk' list.");
        }
        var result = new List<Dictionary<string, object?>>();
        foreach (var (hit, i) in hits.Take(k).Select((h, i) => (h, i)))
        {
            if (hit is not Dictionary<string, object?> fields || !fields.TryGetValue("text", out var text) || text is not string s)
            {
                throw new InvalidDataException($"ColBERTv2 server {Url}: topk[{i}] is not an object with a 'text' string.");
            }
            var copy = new Dictionary<string, object?>(fields, StringComparer.Ordinal) { ["long_text"] = s };
            result.Add(copy);
        }
        return result;
    }
}
