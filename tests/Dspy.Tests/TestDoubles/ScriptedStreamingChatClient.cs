using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.TestDoubles;

/// <summary>
/// A chat client that answers each request with the next scripted response, given as the exact list of text chunks to
/// stream. A non-streaming request gets the chunks joined. It counts both kinds of request, and can hold a stream open
/// after a given number of chunks until the request is cancelled (to test cancellation).
/// </summary>
public sealed class ScriptedStreamingChatClient : IChatClient
{
    private readonly Queue<string[]> _responses = new();
    private readonly Lock _lock = new();

    public ScriptedStreamingChatClient(params string[][] responses)
    {
        foreach (var r in responses) _responses.Enqueue(r);
    }

    public int StreamingRequests { get; private set; }

    public int NonStreamingRequests { get; private set; }

    /// <summary>When set, a stream stops after this many chunks and waits for cancellation.</summary>
    public int? HangAfterChunks { get; set; }

    /// <summary>
    /// For each entry, one streaming request fails with HTTP 503 after streaming that many chunks of the next response
    /// (which stays queued for the retry).
    /// </summary>
    public Queue<int> FailuresAfterChunks { get; } = new();

    /// <summary>Completes when a held stream saw its cancellation.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a held stream starts waiting.</summary>
    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Enqueue(params string[] chunks)
    {
        lock (_lock) _responses.Enqueue(chunks);
    }

    private string[] Next()
    {
        lock (_lock)
        {
            return _responses.Count > 0 ? _responses.Dequeue() : throw new InvalidOperationException("No scripted response left.");
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock) NonStreamingRequests++;
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Concat(Next())))
        {
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 },
            FinishReason = ChatFinishReason.Stop,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] chunks;
        int? failAt = null;
        lock (_lock)
        {
            StreamingRequests++;
            if (FailuresAfterChunks.Count > 0) failAt = FailuresAfterChunks.Dequeue();
            chunks = failAt is null ? Next() : _responses.Count > 0 ? _responses.Peek() : throw new InvalidOperationException("No scripted response left.");
        }
        for (var i = 0; i < chunks.Length; i++)
        {
            if (failAt == i) throw new HttpRequestException("Service unavailable", null, System.Net.HttpStatusCode.ServiceUnavailable);
            if (HangAfterChunks == i)
            {
                Hanging.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Cancelled.TrySetResult();
                    throw;
                }
            }
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunks[i]) { MessageId = "m1", ResponseId = "r1" };
        }
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 })])
        {
            MessageId = "m1",
            ResponseId = "r1",
            FinishReason = ChatFinishReason.Stop,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
