namespace Dspy;

/// <summary>
/// One <see cref="StreamListener"/>'s state during one streamed call: finds the field's start marker in the LM's
/// streamed text, passes on the value as it arrives (holding back what might be the end marker or half an escape), and
/// ends at the next marker or at the end of the LM response. It follows one LM response at a time, so concurrent calls
/// of the same predictor do not mix.
/// </summary>
internal sealed class FieldStreamParser(StreamListener listener, string? predictName)
{
    private enum State
    {
        Idle,
        Started,
        Ended,
    }

    private readonly string _field = listener.SignatureFieldName;
    private State _state;
    private long? _response;
    private StreamFormat _format;
    private string _search = "";
    private string _pending = "";
    private bool _valueStarted;
    private bool _jsonString;

    /// <summary>True once the field's start marker was seen in this call.</summary>
    public bool Started { get; private set; }

    /// <summary>Takes the next piece of text of LM response <paramref name="response"/>; returns the chunk to yield, if any.</summary>
    public StreamResponse? Receive(long response, StreamFormat format, string adapterName, string text)
    {
        if (_state == State.Ended || text.Length == 0) return null;
        // The first response that writes text owns the listener until it ends.
        _response ??= response;
        if (_response != response) return null;
        if (format == StreamFormat.Unsupported)
        {
            throw new NotSupportedException(
                $"{listener} cannot read the output of {adapterName}; stream listeners support ChatAdapter, JsonAdapter and XmlAdapter.");
        }

        if (_state == State.Idle)
        {
            _format = format;
            _search += text;
            var (index, length) = FieldMarkers.FindStart(format, _field, _search);
            if (index < 0)
            {
                var keep = FieldMarkers.StartTailLength(format, _field);
                if (_search.Length > keep) _search = _search[^keep..];
                return null;
            }
            text = _search[(index + length)..];
            _search = "";
            _state = State.Started;
            Started = true;
        }
        return Continue(text);
    }

    /// <summary>LM response <paramref name="response"/> is complete: a field still open ends here.</summary>
    public StreamResponse? EndOfResponse(long response)
    {
        if (_response != response) return null;
        _response = null;
        _search = "";
        StreamResponse? last = null;
        if (_state == State.Started)
        {
            // The response ended without a closing marker (e.g. the last JSON field, or a truncated answer).
            var safe = _valueStarted ? FieldMarkers.Scan(_format, _field, _jsonString, _pending).Safe : 0;
            var tail = FieldMarkers.Decode(_format, _jsonString, _pending[..safe]);
            last = Finish(_format == StreamFormat.Json && _jsonString ? tail : tail.TrimEnd());
        }
        if (_state == State.Ended && listener.AllowReuse) _state = State.Idle;
        return last;
    }

    private StreamResponse? Continue(string text)
    {
        _pending += text;
        if (!_valueStarted)
        {
            _pending = _pending.TrimStart();
            if (_pending.Length == 0) return null;
            if (_format == StreamFormat.Json && _pending[0] == '"')
            {
                _jsonString = true;
                _pending = _pending[1..];
            }
            _valueStarted = true;
        }

        var (end, safe) = FieldMarkers.Scan(_format, _field, _jsonString, _pending);
        if (end >= 0)
        {
            var value = FieldMarkers.Decode(_format, _jsonString, _pending[..end]);
            return Finish(_format == StreamFormat.Json && _jsonString ? value : value.TrimEnd());
        }
        if (safe == 0) return null;
        var chunk = FieldMarkers.Decode(_format, _jsonString, _pending[..safe]);
        _pending = _pending[safe..];
        return new StreamResponse(predictName, _field, chunk, IsLastChunk: false);
    }

    private StreamResponse Finish(string chunk)
    {
        _state = State.Ended;
        _pending = "";
        _valueStarted = false;
        _jsonString = false;
        return new StreamResponse(predictName, _field, chunk, IsLastChunk: true);
    }
}
