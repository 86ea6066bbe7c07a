using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// The sending side of one streamed call (DSPy's <c>settings.send_stream</c>): an async-local that the LM consults to
/// decide whether to stream, and the channel that carries LM chunks and status messages, in program order, to the
/// <see cref="StreamifiedProgram"/> enumerating the call.
/// </summary>
internal sealed class StreamSession(ChannelWriter<object> writer)
{
    private static readonly AsyncLocal<StreamSession?> s_current = new();
    private long _responses;

    /// <summary>The session of the streamed call running in this async flow, or null (the LM then does not stream).</summary>
    public static StreamSession? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Queues an item for the consumer; the channel is unbounded, so this never waits.</summary>
    public void Write(object item) => writer.TryWrite(item);

    /// <summary>
    /// Starts one streamed LM response, tagged with the calling predictor (the innermost <see cref="Predict"/> among the
    /// caller modules) and the output format of the adapter in effect (<paramref name="lmKwargs"/> tells a JSON fallback).
    /// </summary>
    public LMStreamWriter BeginResponse(IReadOnlyDictionary<string, object?> lmKwargs)
    {
        var settings = Settings.Current;
        var predict = settings.CallerModules.OfType<Predict>().LastOrDefault();
        var adapter = settings.Adapter;
        var format = lmKwargs.ContainsKey("dspy_fallback_from") ? StreamFormat.Json : adapter switch
        {
            null => StreamFormat.Chat,
            JsonAdapter => StreamFormat.Json,
            XmlAdapter => StreamFormat.Xml,
            ChatAdapter => StreamFormat.Chat,
            _ => StreamFormat.Unsupported,
        };
        var id = Interlocked.Increment(ref _responses);
        return new LMStreamWriter(this, new LMResponseStart(id, predict, format, adapter?.GetType().Name ?? nameof(ChatAdapter)));
    }
}

/// <summary>Identifies one streamed LM response: its id in the session, the calling predictor and the output format.</summary>
internal sealed record LMResponseStart(long Id, Predict? Predict, StreamFormat Format, string AdapterName);

/// <summary>One update of a streamed LM response.</summary>
internal sealed record LMChunkItem(LMResponseStart Response, ChatResponseUpdate Update);

/// <summary>A streamed LM response is complete.</summary>
internal sealed record LMResponseEndItem(LMResponseStart Response);

/// <summary>What the LM writes to while it streams one response.</summary>
internal sealed class LMStreamWriter(StreamSession session, LMResponseStart response)
{
    /// <summary>True once an update was passed on (a failure after that cannot be retried without repeating text).</summary>
    public bool HasPublished { get; private set; }

    /// <summary>Passes on one update.</summary>
    public void Publish(ChatResponseUpdate update)
    {
        HasPublished = true;
        session.Write(new LMChunkItem(response, update));
    }

    /// <summary>Marks the response complete.</summary>
    public void Complete() => session.Write(new LMResponseEndItem(response));
}
