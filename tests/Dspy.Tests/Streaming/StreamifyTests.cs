using Dspy.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Streaming;

/// <summary>Streamify with a scripted streaming chat client: exact chunk sequences, markers across chunk boundaries, status messages, cancellation, cache.</summary>
public class StreamifyTests
{
    private static LM Lm(IChatClient client, bool cache = false, Cache? store = null) =>
        new("test/stream", client, cache: cache, numRetries: 0) { CacheStore = store };

    private static IDisposable Use(LM lm, Adapter? adapter = null) => TestSignatures.Use(lm, adapter ?? new ChatAdapter());

    internal static async Task<List<object>> CollectAsync(IAsyncEnumerable<object> stream)
    {
        var items = new List<object>();
        await foreach (var item in stream) items.Add(item);
        return items;
    }

    private static List<(string Field, string Chunk, bool Last)> Chunks(IEnumerable<object> items) =>
        items.OfType<StreamResponse>().Select(r => (r.SignatureFieldName, r.Chunk, r.IsLastChunk)).ToList();

    [Fact]
    public async Task Streams_a_fields_value_chunk_by_chunk_then_yields_the_prediction_last()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "Paris", " is the", " capital", ".\n\n", "[[ ## completed ## ]]"]);
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")])
            .StreamAsync(("question", "Capital of France?")));

        Assert.Equal(
            [
                new StreamResponse("self", "answer", "Paris", false),
                new StreamResponse("self", "answer", " is the", false),
                new StreamResponse("self", "answer", " capital", false),
                new StreamResponse("self", "answer", ".", false),
                new StreamResponse("self", "answer", "", true),
            ],
            items.Take(5));
        var prediction = Assert.IsType<Prediction>(Assert.Single(items.Skip(5)));
        Assert.Equal("Paris is the capital.", prediction["answer"]);
        Assert.Equal(1, client.StreamingRequests);
        Assert.Equal(0, client.NonStreamingRequests);
    }

    [Fact]
    public async Task Markers_split_across_chunks_are_recognised_and_never_leak_into_the_chunks()
    {
        var client = new ScriptedStreamingChatClient(
            ["[", "[ ## ans", "wer ## ]", "]", "\nHello", " wor", "ld, see [", "1] ok\n\n[", "[ ## comp", "leted ## ]]"]);
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "q")));

        Assert.Equal(
            [("answer", "Hello", false), ("answer", " wor", false), ("answer", "ld, see", false), ("answer", " [1] ok", false), ("answer", "", true)],
            Chunks(items));
        Assert.Equal("Hello world, see [1] ok", Assert.IsType<Prediction>(items[^1])["answer"]);
    }

    [Fact]
    public async Task Several_listeners_stream_their_fields_in_order()
    {
        var client = new ScriptedStreamingChatClient(
            ["[[ ## reasoning ## ]]\nThink", " hard.\n\n[[ ## ans", "wer ## ]]\n42", "\n\n[[ ## completed ## ]]"]);
        using var _ = Use(Lm(client));
        var program = new ChainOfThought(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("reasoning"), new StreamListener("answer")])
            .StreamAsync(("question", "q")));

        Assert.Equal(
            [("reasoning", "Think", false), ("reasoning", " hard.", false), ("reasoning", "", true), ("answer", "42", false), ("answer", "", true)],
            Chunks(items));
        Assert.All(items.OfType<StreamResponse>(), r => Assert.Equal("predict", r.PredictName));
        var prediction = Assert.IsType<Prediction>(items[^1]);
        Assert.Equal("Think hard.", prediction["reasoning"]);
        Assert.Equal("42", prediction["answer"]);
    }

    [Fact]
    public async Task Json_adapter_values_are_streamed_decoded_with_escapes_split_across_chunks()
    {
        var client = new ScriptedStreamingChatClient(["{\"ans", "wer\": \"Say \\", "\"hi\\\" caf\\u00", "e9\"}"]);
        using var _ = Use(Lm(client), new JsonAdapter());
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "q")));

        Assert.Equal([("answer", "Say ", false), ("answer", "\"hi\" caf", false), ("answer", "é", true)], Chunks(items));
        Assert.Equal("Say \"hi\" café", Assert.IsType<Prediction>(items[^1])["answer"]);
    }

    [Fact]
    public async Task Xml_adapter_values_are_streamed_unescaped()
    {
        var client = new ScriptedStreamingChatClient(["<ans", "wer>\nA &l", "t; B &amp;&amp; C\n</ans", "wer>"]);
        using var _ = Use(Lm(client), new XmlAdapter());
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "q")));

        Assert.Equal([("answer", "A", false), ("answer", " < B && C", false), ("answer", "", true)], Chunks(items));
        Assert.Equal("A < B && C", Assert.IsType<Prediction>(items[^1])["answer"]);
    }

    [Fact]
    public async Task A_field_still_open_when_the_response_ends_gets_its_last_chunk_then()
    {
        // No [[ ## completed ## ]] marker: the end of the LM response ends the field.
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\nYes", " indeed\n"]);
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "q")));

        // The trailing line break was held back (it might have preceded a marker) and is dropped at the end.
        Assert.Equal([("answer", "Yes", false), ("answer", " indeed", false), ("answer", "", true)], Chunks(items));
        Assert.Equal("Yes indeed", Assert.IsType<Prediction>(items[^1])["answer"]);
    }

    [Fact]
    public async Task Status_messages_surround_a_ReAct_tool_call_and_the_prediction_comes_last()
    {
        var client = new ScriptedStreamingChatClient(
            ["[[ ## next_thought ## ]]\nAdd them.\n\n[[ ## next_tool_name ## ]]\nadd\n\n", "[[ ## next_tool_args ## ]]\n{\"a\": 1, \"b\": 2}\n\n[[ ## completed ## ]]"],
            ["[[ ## next_thought ## ]]\nDone.\n\n[[ ## next_tool_name ## ]]\nfinish\n\n[[ ## next_tool_args ## ]]\n{}\n\n[[ ## completed ## ]]"],
            ["[[ ## reasoning ## ]]\nThe tool said 3.\n\n[[ ## answer ## ]]\n", "3", "\n\n[[ ## completed ## ]]"]);
        using var _ = Use(Lm(client));
        var add = new Tool((Func<long, long, long>)((a, b) => a + b), name: "add", desc: "Adds two numbers.");
        var agent = new ReAct(Signature.Parse("question -> answer"), [add]);

        var items = await CollectAsync(Dspy.Streaming.Streamify(agent, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "1 + 2?")));

        Assert.Equal(5, items.Count);
        Assert.Equal(new StatusMessage("Calling tool add..."), items[0]);
        Assert.Equal(new StatusMessage("Tool calling finished! Querying the LLM with tool calling results..."), items[1]);
        Assert.Equal(new StreamResponse("extract.predict", "answer", "3", false), items[2]);
        Assert.Equal(new StreamResponse("extract.predict", "answer", "", true), items[3]);
        var prediction = Assert.IsType<Prediction>(items[4]);
        Assert.Equal("3", prediction["answer"]);
        Assert.Equal(3L, Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(prediction["trajectory"])["observation_0"]);
    }

    private sealed class EveryHookProvider : StatusMessageProvider
    {
        public override string? ModuleStartStatusMessage(Module instance, IReadOnlyDictionary<string, object?> inputs) => $"module {instance.GetType().Name} start";

        public override string? ModuleEndStatusMessage(object? outputs) => "module end";

        public override string? LmStartStatusMessage(BaseLM instance, IReadOnlyDictionary<string, object?> inputs) => $"lm {instance.Model} start";

        public override string? LmEndStatusMessage(object? outputs) => "lm end";
    }

    [Fact]
    public async Task A_custom_provider_reports_module_and_lm_calls_around_the_chunks()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\nok\n\n[[ ## completed ## ]]"]);
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program, new EveryHookProvider(), [new StreamListener("answer")]).StreamAsync(("question", "q")));

        Assert.Equal(
            ["status:module Predict start", "status:lm test/stream start", "chunk:ok:True", "status:lm end", "status:module end", "prediction"],
            items.Select(i => i switch
            {
                StatusMessage s => "status:" + s.Message,
                StreamResponse r => $"chunk:{r.Chunk}:{r.IsLastChunk}",
                Prediction => "prediction",
                _ => i.GetType().Name,
            }));
    }

    [Fact]
    public async Task Without_listeners_the_raw_lm_updates_are_yielded()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "hi", "\n\n[[ ## completed ## ]]"]);
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer"));

        var items = await CollectAsync(Dspy.Streaming.Streamify(program).StreamAsync(("question", "q")));

        var updates = items.OfType<ChatResponseUpdate>().ToList();
        Assert.Equal(["[[ ## answer ## ]]\n", "hi", "\n\n[[ ## completed ## ]]", ""], updates.Select(u => u.Text));
        Assert.Equal("hi", Assert.IsType<Prediction>(items[^1])["answer"]);
        Assert.Equal(updates.Count + 1, items.Count);
    }

    [Fact]
    public async Task A_cache_hit_streams_nothing_and_yields_only_the_prediction()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "cached", "\n\n[[ ## completed ## ]]"]);
        var store = new Cache(enableDiskCache: false, enableMemoryCache: true);
        using var _ = Use(Lm(client, cache: true, store: store));
        var program = new Predict(Signature.Parse("question -> answer"));
        var streamed = Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")], includeFinalPredictionInOutputStream: false);

        var first = await CollectAsync(streamed.StreamAsync(("question", "q")));
        var second = await CollectAsync(streamed.StreamAsync(("question", "q")));

        // First call: streamed, and without the final prediction (include_final_prediction_in_output_stream=False).
        Assert.Equal([("answer", "cached", false), ("answer", "", true)], Chunks(first));
        Assert.DoesNotContain(first, i => i is Prediction);
        // Second call: the cache answers; nothing streams, so the prediction is yielded after all.
        Assert.Equal("cached", Assert.IsType<Prediction>(Assert.Single(second))["answer"]);
        Assert.Equal(1, client.StreamingRequests);
        // The streamed response was cached under the same key a plain call uses.
        Assert.Equal("cached", (await program.CallAsync(("question", "q")))["answer"]);
        Assert.Equal(0, client.NonStreamingRequests);
    }

    [Fact]
    public async Task Cancelling_stops_the_stream_and_the_lm_request()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "Hel", "lo", "\n\n[[ ## completed ## ]]"]) { HangAfterChunks = 2 };
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer"));
        using var cts = new CancellationTokenSource();
        var seen = new List<object>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")])
                .StreamAsync(new Dictionary<string, object?> { ["question"] = "q" }, cts.Token))
            {
                seen.Add(item);
                await client.Hanging.Task;
                await cts.CancelAsync();
            }
        });

        Assert.Equal([new StreamResponse("self", "answer", "Hel", false)], seen);
        await client.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Leaving_the_loop_early_cancels_the_program()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "Hel", "lo", "\n\n[[ ## completed ## ]]"]) { HangAfterChunks = 2 };
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer"));

        await foreach (var item in Dspy.Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]).StreamAsync(("question", "q")))
        {
            Assert.Equal(new StreamResponse("self", "answer", "Hel", false), item);
            break;
        }

        // Disposing the enumerator waited for the program, which saw the cancellation.
        Assert.True(client.Cancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task A_program_failure_is_thrown_after_the_items_before_it()
    {
        var client = new ScriptedStreamingChatClient(["[[ ## answer ## ]]\n", "partial"]);
        using var _ = Use(Lm(client));
        var program = new Predict(Signature.Parse("question -> answer: int"));
        var seen = new List<object>();

        // The ChatAdapter cannot parse "partial" as an int and falls back to JSON; the script has no second response.
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var item in Dspy.Streaming.Streamify(program).StreamAsync(("question", "q"))) seen.Add(item);
        });

        Assert.IsNotType<OperationCanceledException>(error);
        Assert.Equal(["[[ ## answer ## ]]\n", "partial", ""], seen.OfType<ChatResponseUpdate>().Select(u => u.Text));
    }

    private sealed class TwicePredict : Module
    {
        public Predict Inner { get; } = new(Signature.Parse("question -> answer"));

        protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
        {
            await Inner.CallAsync(inputs, cancellationToken);
            return await Inner.CallAsync(inputs, cancellationToken);
        }
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public async Task A_listener_streams_once_per_call_unless_reuse_is_allowed(bool allowReuse, int streams)
    {
        var client = new ScriptedStreamingChatClient(
            ["[[ ## answer ## ]]\none\n\n[[ ## completed ## ]]"], ["[[ ## answer ## ]]\ntwo\n\n[[ ## completed ## ]]"],
            ["[[ ## answer ## ]]\none\n\n[[ ## completed ## ]]"], ["[[ ## answer ## ]]\ntwo\n\n[[ ## completed ## ]]"]);
        using var _ = Use(Lm(client));
        var streamed = Dspy.Streaming.Streamify(new TwicePredict(), streamListeners: [new StreamListener("answer", allowReuse: allowReuse)]);

        var expected = new[] { ("answer", "one", true), ("answer", "two", true) }.Take(streams);
        // Each call has its own listening state, so a second call streams again.
        Assert.Equal(expected, Chunks(await CollectAsync(streamed.StreamAsync(("question", "a")))));
        Assert.Equal(expected, Chunks(await CollectAsync(streamed.StreamAsync(("question", "b")))));
        Assert.Equal("inner", streamed.Listeners.Single().PredictName);
    }

    [Fact]
    public void Listeners_must_name_one_string_output_field_of_the_program()
    {
        var unknown = Assert.Throws<ArgumentException>(() =>
            Dspy.Streaming.Streamify(new Predict(Signature.Parse("question -> answer")), streamListeners: [new StreamListener("nope")]));
        Assert.StartsWith("Signature field nope is not a field of any predictor in the program", unknown.Message, StringComparison.Ordinal);

        var typed = Assert.Throws<ArgumentException>(() =>
            Dspy.Streaming.Streamify(new Predict(Signature.Parse("question -> answer: int")), streamListeners: [new StreamListener("answer")]));
        Assert.StartsWith("Stream listener can only be applied to string output fields, but your field answer is of type int", typed.Message, StringComparison.Ordinal);

        var ambiguous = new ChainOfThought(Signature.Parse("question -> answer"));
        var twice = new ParallelPair(ambiguous);
        var duplicate = Assert.Throws<ArgumentException>(() => Dspy.Streaming.Streamify(twice, streamListeners: [new StreamListener("answer")]));
        Assert.StartsWith("Signature field answer is not unique in the program (first.predict, second.predict)", duplicate.Message, StringComparison.Ordinal);

        // Naming the predictor resolves the ambiguity.
        var bound = Dspy.Streaming.Streamify(twice, streamListeners: [new StreamListener("answer", predict: twice.Second.Predict)]);
        Assert.Equal("second.predict", bound.Listeners.Single().PredictName);
    }

    private sealed class ParallelPair(ChainOfThought first) : Module
    {
        public ChainOfThought First { get; } = first;

        public ChainOfThought Second { get; } = new(Signature.Parse("question -> answer"));

        protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken) =>
            First.CallAsync(inputs, cancellationToken);
    }

    [Fact]
    public async Task Streaming_response_renders_server_sent_events()
    {
        static async IAsyncEnumerable<object> Items()
        {
            await Task.Yield();
            yield return new StatusMessage("Calling tool add...");
            yield return new StreamResponse("self", "answer", "4\"2", true);
            yield return new Prediction([new("answer", "42")]);
        }

        var events = new List<string>();
        await foreach (var e in Dspy.Streaming.StreamingResponse(Items())) events.Add(e);

        Assert.Equal(
            [
                "data: {\"status_message\":\"Calling tool add...\"}\n\n",
                "data: {\"predict_name\":\"self\",\"signature_field_name\":\"answer\",\"chunk\":\"4\\\"2\",\"is_last_chunk\":true}\n\n",
                "data: {\"prediction\":{\"answer\":\"42\"}}\n\n",
                "data: [DONE]\n\n",
            ],
            events);
    }
}
