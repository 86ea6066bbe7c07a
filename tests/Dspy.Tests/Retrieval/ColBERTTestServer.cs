using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Dspy.Tests.Retrieval;

/// <summary>
/// A real HTTP server on a free loopback port that answers like a ColBERT search endpoint over a small in-memory index
/// (passages scored by shared words). It records each request and stops when disposed.
/// </summary>
internal sealed class ColBERTTestServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly string[] _passages;

    public ColBERTTestServer(string[] passages, int extraHits = 0)
    {
        _passages = passages;
        ExtraHits = extraHits;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Hits returned beyond k (servers may return more; the client keeps k).</summary>
    public int ExtraHits { get; }

    /// <summary>What the next answer is: null = search results; otherwise a status code and body to send instead.</summary>
    public (int Status, string Body)? Override { get; set; }

    public List<(string Method, string Path, string Query, int K, string? ContentType)> Requests { get; } = [];

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            await HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        string query;
        int k;
        if (request.HttpMethod == "POST")
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            using var doc = JsonDocument.Parse(await reader.ReadToEndAsync());
            query = doc.RootElement.GetProperty("query").GetString()!;
            k = doc.RootElement.GetProperty("k").GetInt32();
        }
        else
        {
            query = request.QueryString["query"] ?? "";
            k = int.Parse(request.QueryString["k"] ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        }
        lock (Requests) Requests.Add((request.HttpMethod, request.Url!.AbsolutePath, query, k, request.ContentType));

        int status;
        string body;
        if (Override is { } o)
        {
            (status, body) = o;
        }
        else
        {
            var words = Words(query);
            var ranked = _passages.Select((p, pid) => (pid, p, score: (double)Words(p).Count(words.Contains)))
                .OrderByDescending(x => x.score).ThenBy(x => x.pid).Take(k + ExtraHits)
                .Select((x, rank) => new { text = x.p, pid = x.pid, rank = rank + 1, score = x.score, prob = 1.0 / (rank + 1) });
            status = 200;
            body = JsonSerializer.Serialize(new { query, topk = ranked, latency = 0.001 });
        }
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private static HashSet<string> Words(string text) =>
        text.ToLowerInvariant().Split([' ', ',', '.', '?', '\''], StringSplitOptions.RemoveEmptyEntries).ToHashSet();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
