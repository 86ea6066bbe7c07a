using Dspy.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Streaming;

/// <summary>How the LM's streaming path treats failures, the sim client, and cancellation of plain module calls.</summary>
public class StreamingLMTests
{
    [Fact]
    public async Task A_failure_before_the_first_chunk_is_retried()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "ok", "\n\n[[ ## completed ## ]]"]);
        client.FailuresAfterChunks.Enqueue(0);
        var lm = new LM("test/stream", client, cache: false, numRetries: 2) { RetryBaseDelay = TimeSpan.FromMilliseconds(1) };
        using var _ = TestSignatures.Use(lm, new ChatAdapter());
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await StreamifyTests.CollectAsync(Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "q")));

        Assert.Equal(2, client.StreamingRequests);
        Assert.Equal([new StreamResponse("self", "answer", "ok", false), new StreamResponse("self", "answer", "", true)], items.OfType<StreamResponse>());
        Assert.Equal("ok", Assert.IsType<Prediction>(items[^1])["answer"]);
    }

    [Fact]
    public async Task A_failure_after_streamed_text_is_not_retried()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "ok", "\n\n[[ ## completed ## ]]"]);
        client.FailuresAfterChunks.Enqueue(2);
        var lm = new LM("test/stream", client, cache: false, numRetries: 3) { RetryBaseDelay = TimeSpan.FromMilliseconds(1) };
        using var _ = TestSignatures.Use(lm, new ChatAdapter(useJsonAdapterFallback: false));
        var program = new Predict(Signature.Parse("question -> answer"));
        var seen = new List<object>();

        await Assert.ThrowsAsync<LMServerError>(async () =>
        {
            await foreach (var item in Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "q")))
            {
                seen.Add(item);
            }
        });

        // A retry would have repeated "ok" to the reader.
        Assert.Equal(1, client.StreamingRequests);
        Assert.Equal([new StreamResponse("self", "answer", "ok", false)], seen);
    }

    [Fact]
    public async Task The_sim_streams_deterministic_chunks_that_add_up_to_the_prediction()
    {
        var lm = new LM("sim", cache: false);
        using var _ = TestSignatures.Use(lm, new ChatAdapter());
        var program = new ChainOfThought(Signature.Parse("question -> answer"));
        var streamed = Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("reasoning"), new StreamListener("answer")]);

        var first = await StreamifyTests.CollectAsync(streamed.StreamAsync(("question", "What is the capital of France?")));
        var second = await StreamifyTests.CollectAsync(streamed.StreamAsync(("question", "What is the capital of France?")));

        var prediction = Assert.IsType<Prediction>(first[^1]);
        foreach (var field in new[] { "reasoning", "answer" })
        {
            var chunks = first.OfType<StreamResponse>().Where(r => r.SignatureFieldName == field).ToList();
            Assert.Equal(prediction[field], string.Concat(chunks.Select(c => c.Chunk)));
            Assert.True(Assert.Single(chunks, c => c.IsLastChunk) == chunks[^1]);
        }
        // The sim answers in updates of a few characters, so a field of more than one update streams in pieces.
        Assert.True(first.OfType<StreamResponse>().Count() > 2);
        Assert.Equal(first.Take(first.Count - 1), second.Take(second.Count - 1));

        // Without listeners the raw updates add up to the whole completion.
        var raw = await StreamifyTests.CollectAsync(Dspy.Streaming.Streamify(program).StreamAsync(("question", "What is the capital of France?")));
        var text = string.Concat(raw.OfType<Microsoft.Extensions.AI.ChatResponseUpdate>().Select(u => u.Text));
        Assert.Equal(new SimChatClient().Complete(ReplayMessages(program, "What is the capital of France?")), text);
        Assert.True(raw.Count > 3);
    }

    private static IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> ReplayMessages(ChainOfThought program, string question) =>
        new ChatAdapter().Format(program.Predict.Signature, [], new Dictionary<string, object?> { ["question"] = question });

    [Fact]
    public async Task Cancelling_a_module_call_stops_it_with_OperationCanceledException()
    {
        var client = new HangingChatClient();
        using var _ = TestSignatures.Use(new LM("test/hang", client, cache: false), new ChatAdapter());
        var program = new ChainOfThought(Signature.Parse("question -> answer"));
        using var cts = new CancellationTokenSource();

        var call = program.CallAsync(new Dictionary<string, object?> { ["question"] = "q" }, cts.Token);
        await client.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(client.SawCancellation);
    }

    private sealed class HangingChatClient : Microsoft.Extensions.AI.IChatClient
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool SawCancellation { get; private set; }

        public async Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
                throw;
            }
            throw new InvalidOperationException("unreachable");
        }

        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
