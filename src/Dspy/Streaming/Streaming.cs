using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's streaming helpers: <see cref="Streamify"/> (<c>dspy.streamify</c>) and <see cref="StreamingResponse"/>
/// (<c>dspy.streaming.streaming_response</c>).
/// </summary>
public static class Streaming
{
    /// <summary>
    /// DSPy's <c>dspy.streamify(program, status_message_provider, stream_listeners, include_final_prediction_in_output_stream)</c>:
    /// wraps <paramref name="program"/> so that a call yields, as they happen, <see cref="StreamResponse"/> chunks of the
    /// fields the <paramref name="streamListeners"/> listen to, <see cref="StatusMessage"/>s, and finally the
    /// <see cref="Prediction"/>.
    /// <code>
    /// var stream = Streaming.Streamify(program, streamListeners: [new StreamListener("answer")]);
    /// await foreach (var item in stream.StreamAsync(new { question = "..." }, cancellationToken))
    /// {
    ///     switch (item)
    ///     {
    ///         case StreamResponse chunk: Console.Write(chunk.Chunk); break;
    ///         case StatusMessage status: Console.WriteLine(status.Message); break;
    ///         case Prediction prediction: Console.WriteLine(prediction["answer"]); break;
    ///     }
    /// }
    /// </code>
    /// </summary>
    /// <param name="program">The program to stream.</param>
    /// <param name="statusMessageProvider">The status texts; null uses DSPy's defaults (tool start and end messages).</param>
    /// <param name="streamListeners">
    /// The fields to stream. A listener without a predictor is bound to the one predictor of the program with that output
    /// field. With no listeners, the LM's raw <see cref="ChatResponseUpdate"/>s are yielded instead, as DSPy yields the
    /// raw chunks.
    /// </param>
    /// <param name="includeFinalPredictionInOutputStream">
    /// Yield the prediction at the end. When false it is still yielded if nothing was streamed (no listeners, or no
    /// listened field was seen, e.g. because the LM response came from the cache).
    /// </param>
    /// <exception cref="ArgumentException">A listener's field is no output of any predictor, of several, or not a <c>str</c> field.</exception>
    public static StreamifiedProgram Streamify(Module program, StatusMessageProvider? statusMessageProvider = null,
        IEnumerable<StreamListener>? streamListeners = null, bool includeFinalPredictionInOutputStream = true)
    {
        ArgumentNullException.ThrowIfNull(program);
        return new StreamifiedProgram(program, statusMessageProvider ?? new StatusMessageProvider(), streamListeners?.ToList() ?? [],
            includeFinalPredictionInOutputStream);
    }

    /// <summary>
    /// DSPy's <c>streaming_response</c>: the items of a streamed call as server-sent events, <c>data: {json}\n\n</c> each,
    /// then <c>data: [DONE]\n\n</c>. A prediction is <c>{"prediction": {fields}}</c>, a raw LM update
    /// <c>{"chunk": {"text": ...}}</c>, a field chunk <c>{"predict_name", "signature_field_name", "chunk", "is_last_chunk"}</c>
    /// and a status message <c>{"status_message": ...}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An item of another type.</exception>
    public static async IAsyncEnumerable<string> StreamingResponse(IAsyncEnumerable<object> stream,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await foreach (var item in stream.WithCancellation(cancellationToken))
        {
            object data = item switch
            {
                Prediction p => new Dictionary<string, object?>(StringComparer.Ordinal) { ["prediction"] = ValueModel.FromClr(p.Items()) },
                ChatResponseUpdate u => new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["chunk"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["text"] = u.Text },
                },
                StreamResponse r => new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["predict_name"] = r.PredictName,
                    ["signature_field_name"] = r.SignatureFieldName,
                    ["chunk"] = r.Chunk,
                    ["is_last_chunk"] = r.IsLastChunk,
                },
                StatusMessage s => new Dictionary<string, object?>(StringComparer.Ordinal) { ["status_message"] = s.Message },
                string s when s.StartsWith("data:", StringComparison.Ordinal) => s,
                _ => throw new ArgumentException($"Unknown chunk value type: {item?.GetType().Name ?? "null"}.", nameof(stream)),
            };
            yield return data is string passthrough
                ? passthrough
                : new StringBuilder("data: ").Append(JsonSerializer.Serialize(data, DspyJson.Options)).Append("\n\n").ToString();
        }
        yield return "data: [DONE]\n\n";
    }
}
