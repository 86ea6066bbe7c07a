using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Dspy.Tests.Clients;

/// <summary>
/// A chat client that answers from a script: each call takes the next step (a response text or an exception to throw);
/// once the script is exhausted it answers "answer to: &lt;last user text&gt;". It records every call.
/// </summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly ConcurrentQueue<Func<ChatResponse>> _script = new();

    public ConcurrentQueue<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = new();

    public ScriptedChatClient Then(Exception error)
    {
        _script.Enqueue(() => throw error);
        return this;
    }

    public ScriptedChatClient Then(ChatResponse response)
    {
        _script.Enqueue(() => response);
        return this;
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Calls.Enqueue((list, options));
        if (_script.TryDequeue(out var step)) return Task.FromResult(step());
        var last = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var choice = options?.AdditionalProperties?.TryGetValue("choice_index", out var c) == true ? $" #{c}" : "";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer to: {last}{choice}"))
        {
            FinishReason = ChatFinishReason.Stop,
            ModelId = "scripted-1",
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15, CachedInputTokenCount = 2 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>
/// A virtual clock whose timers fire at once (so retry tests do not sleep): creating a timer records its delay and moves
/// the clock forward by it.
/// </summary>
internal sealed class InstantTimeProvider : TimeProvider
{
    private long _ticks;

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(Interlocked.Read(ref _ticks));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Delays.Enqueue(dueTime);
        Interlocked.Add(ref _ticks, dueTime.Ticks);
        var timer = new FiredTimer();
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return timer;
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A logger that keeps the messages it receives.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Messages.Enqueue(formatter(state, exception));
}

/// <summary>An HTTP response as the OpenAI SDK's pipeline sees it, for building <c>ClientResultException</c>s.</summary>
internal sealed class FakePipelineResponse(int status, Dictionary<string, string> headers, string body) : PipelineResponse
{
    private Stream? _stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));

    public override int Status => status;

    public override string ReasonPhrase => "fake";

    public override Stream? ContentStream
    {
        get => _stream;
        set => _stream = value;
    }

    public override BinaryData Content => BinaryData.FromString(body);

    protected override PipelineResponseHeaders HeadersCore => new FakeHeaders(headers);

    public override BinaryData BufferContent(CancellationToken cancellationToken = default) => Content;

    public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Content);

    public override void Dispose() => _stream?.Dispose();

    private sealed class FakeHeaders(Dictionary<string, string> headers) : PipelineResponseHeaders
    {
        public override bool TryGetValue(string name, out string? value)
        {
            var hit = headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
            value = hit.Value;
            return hit.Key is not null;
        }

        public override bool TryGetValues(string name, out IEnumerable<string>? values)
        {
            var ok = TryGetValue(name, out var v);
            values = ok ? [v!] : null;
            return ok;
        }

        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() => headers.GetEnumerator();
    }
}
