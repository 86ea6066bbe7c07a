using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dspy.Cli;

/// <summary>
/// The simulated LM as an OpenAI-compatible HTTP server on 127.0.0.1 (Kestrel, minimal APIs): <c>POST /v1/chat/completions</c>
/// (also under Azure OpenAI's <c>/openai/deployments/{deployment}/chat/completions</c>, Anthropic's <c>POST /v1/messages</c> and
/// Ollama's <c>POST /api/chat</c>),
/// <c>GET /v1/models</c>,
/// <c>GET /sim/stats</c> and <c>POST /sim/reset</c>. Any <see cref="IChatClient"/> answers the
/// requests (the deterministic <c>SimChatClient</c> in production); the server adds what real providers do to clients:
/// latency, sliding-window requests/tokens limits answered with 429 and a correct Retry-After, injected 500s, hangs and
/// corrupted outputs. Start it with <see cref="StartAsync"/>; point an LM at <see cref="ApiBase"/>.
/// </summary>
public sealed partial class SimServer : IAsyncDisposable
{
    private const int MaxRecords = 100_000;

    private readonly WebApplication _app;
    private readonly SimServerOptions _options;
    private readonly IChatClient _backend;
    private readonly TimeProvider _time;
    private readonly SimRateLimiter _limiter;
    private readonly ConcurrentDictionary<string, int> _arrivals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _notBefore = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SimRequestRecord> _records = new();
    private readonly ConcurrentDictionary<string, long> _servedByModel = new(StringComparer.Ordinal);
    private readonly SimFineTuning _fineTuning;
    private long _received, _served, _rateLimited, _failures, _timeouts, _malformed, _badRequests, _earlyRetries, _promptTokens, _completionTokens;

    private SimServer(WebApplication app, SimServerOptions options, IChatClient backend, TimeProvider time)
    {
        _app = app;
        _options = options;
        _backend = backend;
        _time = time;
        _limiter = new SimRateLimiter(options.Rpm, options.Tpm, options.Window);
        _fineTuning = new SimFineTuning(options.FineTuningPolls, options.FineTuningDuration, time);
    }

    /// <summary>The server's root address, e.g. <c>http://127.0.0.1:5123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The OpenAI API base to give clients: <see cref="BaseAddress"/> + <c>v1</c>.</summary>
    public Uri ApiBase => new(BaseAddress, "v1");

    /// <summary>The options in effect.</summary>
    public SimServerOptions Options => _options;

    /// <summary>A snapshot of the counters.</summary>
    public SimServerStats Stats => new()
    {
        RequestsReceived = Interlocked.Read(ref _received),
        Served = Interlocked.Read(ref _served),
        RateLimited = Interlocked.Read(ref _rateLimited),
        InjectedFailures = Interlocked.Read(ref _failures),
        Timeouts = Interlocked.Read(ref _timeouts),
        Malformed = Interlocked.Read(ref _malformed),
        BadRequests = Interlocked.Read(ref _badRequests),
        EarlyRetries = Interlocked.Read(ref _earlyRetries),
        PromptTokens = Interlocked.Read(ref _promptTokens),
        CompletionTokens = Interlocked.Read(ref _completionTokens),
        ServedByModel = new SortedDictionary<string, long>(_servedByModel, StringComparer.Ordinal),
        FilesUploaded = _fineTuning.FilesUploaded,
        FineTuningJobsCreated = _fineTuning.JobsCreated,
    };

    /// <summary>The chat completion requests seen, in the order they were answered (the most recent 100,000).</summary>
    public IReadOnlyList<SimRequestRecord> Requests => [.. _records];

    /// <summary>
    /// Starts the server on 127.0.0.1 (<see cref="SimServerOptions.Port"/>, 0 for a free port) with <paramref name="backend"/>
    /// answering the requests.
    /// </summary>
    public static Task<SimServer> StartAsync(SimServerOptions options, IChatClient backend, CancellationToken cancellationToken = default)
        => StartAsync(options, backend, TimeProvider.System, cancellationToken);

    /// <summary>Starts the server with <paramref name="timeProvider"/> as the clock of the rate-limit windows and delays.</summary>
    public static async Task<SimServer> StartAsync(SimServerOptions options, IChatClient backend, TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var server = new SimServer(app, options, backend, timeProvider ?? TimeProvider.System);
        server.Map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The simulated LM server did not report its address.");
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>Waits until the server shuts down (Ctrl+C, <see cref="StopAsync"/>) or <paramref name="cancellationToken"/> fires; for <c>dspy sim serve</c>.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the server.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
    }

    /// <summary>Clears the counters, the rate-limit windows and the request log (<c>POST /sim/reset</c>).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _served, 0);
        Interlocked.Exchange(ref _rateLimited, 0);
        Interlocked.Exchange(ref _failures, 0);
        Interlocked.Exchange(ref _timeouts, 0);
        Interlocked.Exchange(ref _malformed, 0);
        Interlocked.Exchange(ref _badRequests, 0);
        Interlocked.Exchange(ref _earlyRetries, 0);
        Interlocked.Exchange(ref _promptTokens, 0);
        Interlocked.Exchange(ref _completionTokens, 0);
        _limiter.Reset();
        _arrivals.Clear();
        _notBefore.Clear();
        _records.Clear();
        _servedByModel.Clear();
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/v1/chat/completions", (Func<HttpContext, Task>)(ctx => HandleAsync(ctx, SimWire.OpenAI)));
        // Azure OpenAI's path shape, so an "azure/<deployment>" LM can be pointed at the simulator too.
        app.MapPost("/openai/deployments/{deployment}/chat/completions", (Func<HttpContext, Task>)(ctx => HandleAsync(ctx, SimWire.OpenAI)));
        // Anthropic's Messages API, so an "anthropic/<model>" LM can be pointed at it as well.
        app.MapPost("/v1/messages", (Func<HttpContext, Task>)(ctx => HandleAsync(ctx, SimWire.Anthropic)));
        // Ollama's chat API, for "ollama_chat/<model>" LMs.
        app.MapPost("/api/chat", (Func<HttpContext, Task>)(ctx => HandleAsync(ctx, SimWire.Ollama)));
        app.MapGet("/v1/models", (Func<HttpContext, Task>)(ctx => WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("id", _options.ModelName);
            w.WriteString("object", "model");
            w.WriteNumber("created", 0);
            w.WriteString("owned_by", "dspy-sim");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        })));
        app.MapGet("/sim/stats", (Func<HttpContext, Task>)(ctx =>
        {
            var s = Stats;
            return WriteJsonAsync(ctx, 200, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("requests_received", s.RequestsReceived);
                w.WriteNumber("served", s.Served);
                w.WriteNumber("rate_limited", s.RateLimited);
                w.WriteNumber("injected_failures", s.InjectedFailures);
                w.WriteNumber("timeouts", s.Timeouts);
                w.WriteNumber("malformed", s.Malformed);
                w.WriteNumber("bad_requests", s.BadRequests);
                w.WriteNumber("early_retries", s.EarlyRetries);
                w.WriteNumber("prompt_tokens", s.PromptTokens);
                w.WriteNumber("completion_tokens", s.CompletionTokens);
                w.WriteNumber("total_tokens", s.TotalTokens);
                w.WriteNumber("files_uploaded", s.FilesUploaded);
                w.WriteNumber("fine_tuning_jobs_created", s.FineTuningJobsCreated);
                w.WriteStartObject("served_by_model");
                foreach (var (model, served) in s.ServedByModel) w.WriteNumber(model, served);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }));
        MapFineTuning(app);
        app.MapPost("/sim/reset", (Func<HttpContext, Task>)(ctx =>
        {
            Reset();
            ctx.Response.StatusCode = 204;
            return Task.CompletedTask;
        }));
    }

    private async Task HandleAsync(HttpContext ctx, SimWire wire)
    {
        var now = _time.GetUtcNow();
        Interlocked.Increment(ref _received);
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        var body = buffer.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        var arrival = _arrivals.AddOrUpdate(hash, 1, (_, k) => k + 1);
        DateTimeOffset? notBefore = _notBefore.TryGetValue(hash, out var nb) ? nb : null;
        if (notBefore is { } limit && now < limit) Interlocked.Increment(ref _earlyRetries);

        OpenAIChatRequest request;
        try
        {
            using var doc = JsonDocument.Parse(body);
            request = wire.Parse(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            Interlocked.Increment(ref _badRequests);
            Record(hash, now, 400, null, null, notBefore);
            await WriteErrorAsync(ctx, wire, 400, "Invalid request: " + e.Message, "invalid_request_error", null);
            return;
        }

        // A fine-tuned model answers from its training data (put before the question as demos); it bills only the request.
        IReadOnlyList<ChatMessage>? billed = null;
        if (SimFineTuning.IsFineTunedName(request.Model))
        {
            if (_fineTuning.Augment(request.Model, request.Messages) is not { } augmented)
            {
                Interlocked.Increment(ref _badRequests);
                Record(hash, now, 404, null, null, notBefore);
                await WriteErrorAsync(ctx, wire, 404, $"The model `{request.Model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");
                return;
            }
            billed = request.Messages;
            request = request with { Messages = augmented };
        }

        if (!_limiter.TryAdmit(now, request.EstimatedTokens, out var wait))
        {
            // Retry-After in whole seconds, rounded up, so a client that honours it never comes back before capacity frees up.
            var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
            var retryAfter = TimeSpan.FromSeconds(seconds);
            _notBefore[hash] = now + retryAfter;
            Interlocked.Increment(ref _rateLimited);
            Record(hash, now, 429, retryAfter, wait, notBefore);
            ctx.Response.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
            ctx.Response.Headers["retry-after-ms"] = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(ctx, wire, 429,
                $"Rate limit reached for {request.Model} (simulated): limit {_options.Rpm?.ToString(CultureInfo.InvariantCulture) ?? "none"} requests and "
                + $"{_options.Tpm?.ToString(CultureInfo.InvariantCulture) ?? "no"} tokens per {_options.Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. "
                + $"Please try again in {seconds.ToString(CultureInfo.InvariantCulture)}s.",
                "requests", "rate_limit_exceeded");
            return;
        }

        // Decisions are drawn from the request body and how many times this same body has arrived, never from other requests.
        var rng = new Random(BitConverter.ToInt32(SHA256.HashData([.. body, .. BitConverter.GetBytes(arrival)]), 0));
        var failDraw = rng.NextDouble();
        var timeoutDraw = rng.NextDouble();
        var malformedDraw = rng.NextDouble();
        if (failDraw < _options.FailRate)
        {
            Interlocked.Increment(ref _failures);
            Record(hash, now, 500, null, null, notBefore);
            await WriteErrorAsync(ctx, wire, 500, "The simulated server had an injected error while processing your request.", "server_error", null);
            return;
        }
        if (timeoutDraw < _options.TimeoutRate)
        {
            Interlocked.Increment(ref _timeouts);
            try
            {
                await Task.Delay(_options.TimeoutHang, _time, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up, as intended.
                Record(hash, now, 499, null, null, notBefore);
                return;
            }
            Record(hash, now, 504, null, null, notBefore);
            await WriteErrorAsync(ctx, wire, 504, "The simulated server timed out.", "timeout", null);
            return;
        }
        if (_options.LatencyMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(_options.LatencyMs), _time, ctx.RequestAborted);

        var choices = new List<OpenAIChatWire.Choice>(request.N);
        long prompt = 0, completion = 0;
        ChatResponse[] responses;
        try
        {
            responses = await Task.WhenAll(Enumerable.Range(0, request.N).Select(i =>
            {
                var o = request.Options.Clone();
                if (request.N > 1)
                {
                    o.AdditionalProperties = o.AdditionalProperties is null ? [] : new AdditionalPropertiesDictionary(o.AdditionalProperties);
                    o.AdditionalProperties["choice_index"] = (long)i;
                }
                return _backend.GetResponseAsync(request.Messages, o, ctx.RequestAborted);
            }));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A backend failure is the server's fault: answer like a provider would, with an OpenAI-shaped 500.
            Record(hash, now, 500, null, null, notBefore);
            await WriteErrorAsync(ctx, wire, 500, "The simulated LM failed: " + e.Message, "server_error", null);
            return;
        }
        var malformed = malformedDraw < _options.MalformedRate;
        foreach (var r in responses)
        {
            var calls = r.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            var text = r.Text;
            if (malformed && text.Length > 0) text = text[..(text.Length / 2)];
            choices.Add(new OpenAIChatWire.Choice(calls.Count > 0 && text.Length == 0 ? null : text, calls,
                OpenAIChatWire.FinishReason(r.FinishReason, calls.Count > 0)));
            prompt += billed is not null ? SimTokenCounter.CountPrompt(billed)
                : r.Usage?.InputTokenCount ?? OpenAIChatWire.EstimateTokens(request.Messages.Sum(m => m.Text.Length));
            completion += r.Usage?.OutputTokenCount ?? OpenAIChatWire.EstimateTokens(text.Length);
        }
        // One prompt is billed once, as providers do for n > 1.
        if (request.N > 1) prompt /= request.N;
        if (malformed) Interlocked.Increment(ref _malformed);
        Interlocked.Increment(ref _served);
        _servedByModel.AddOrUpdate(request.Model, 1, (_, n) => n + 1);
        Interlocked.Add(ref _promptTokens, prompt);
        Interlocked.Add(ref _completionTokens, completion);
        Record(hash, now, 200, null, null, notBefore);
        await WriteJsonAsync(ctx, 200, w => wire.WriteResponse(w, hash[..24], now, request.Model, choices, prompt, completion));
    }

    private void Record(string hash, DateTimeOffset at, int status, TimeSpan? retryAfter, TimeSpan? precise, DateTimeOffset? notBefore)
    {
        _records.Enqueue(new SimRequestRecord(hash, at, status, retryAfter, precise, notBefore));
        while (_records.Count > MaxRecords && _records.TryDequeue(out _))
        {
        }
    }

    private static Task WriteErrorAsync(HttpContext ctx, SimWire wire, int status, string message, string type, string? code)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers["x-request-id"] = "req_sim_" + Guid.NewGuid().ToString("N")[..16];
        return ctx.Response.WriteAsync(wire.ErrorBody(status, message, type, code), ctx.RequestAborted);
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) write(w);
        await ctx.Response.Body.WriteAsync(ms.ToArray(), ctx.RequestAborted);
    }
}
