using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// A program wrapped by <see cref="Streaming.Streamify"/>. Each <see cref="StreamAsync(IReadOnlyDictionary{string, object?}, CancellationToken)"/>
/// runs the program in the background with streaming LM calls and yields, in the order they happen:
/// <see cref="StreamResponse"/> chunks of the listened fields (or the raw <see cref="ChatResponseUpdate"/>s when there are
/// no listeners), <see cref="StatusMessage"/>s, and last the <see cref="Prediction"/>.
/// </summary>
/// <remarks>
/// <para>
/// LM responses served from the cache are not streamed (as in DSPy): the call yields no chunks for them, only the final
/// prediction, which holds their values. LM calls with <c>n</c> &gt; 1 are not streamed either.
/// </para>
/// <para>
/// Cancelling the token, or leaving the <c>await foreach</c> early, cancels the program and the LM request in flight; a
/// cancelled enumeration throws <see cref="OperationCanceledException"/>. An exception of the program is thrown by the
/// enumeration after the items produced before it.
/// </para>
/// </remarks>
public sealed class StreamifiedProgram
{
    private readonly StatusMessageProvider _statusMessageProvider;
    private readonly IReadOnlyList<(StreamListener Listener, Predict Predict, string? PredictName)> _bindings;
    private readonly bool _includeFinalPrediction;

    internal StreamifiedProgram(Module program, StatusMessageProvider statusMessageProvider, IReadOnlyList<StreamListener> listeners,
        bool includeFinalPrediction)
    {
        Program = program;
        _statusMessageProvider = statusMessageProvider;
        _includeFinalPrediction = includeFinalPrediction;
        _bindings = Bind(program, listeners);
    }

    /// <summary>The wrapped program.</summary>
    public Module Program { get; }

    /// <summary>The listeners with the predictor and name each one is bound to.</summary>
    public IReadOnlyList<(StreamListener Listener, Predict Predict, string? PredictName)> Listeners => _bindings;

    /// <summary>Calls the program with the public properties of <paramref name="inputs"/> (or a dictionary's entries) and streams the call.</summary>
    public IAsyncEnumerable<object> StreamAsync(object inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Run(inputs, cancellationToken);
    }

    /// <summary>Calls the program with <paramref name="inputs"/> and streams the call.</summary>
    public IAsyncEnumerable<object> StreamAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Run(inputs, cancellationToken);
    }

    /// <summary>Calls the program with named inputs and streams the call.</summary>
    public IAsyncEnumerable<object> StreamAsync(params (string Name, object? Value)[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in inputs) dict[name] = value;
        return Run(dict, CancellationToken.None);
    }

    private async IAsyncEnumerable<object> Run(object inputs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        var session = new StreamSession(channel.Writer);
        var parsers = _bindings.Select(b => (b.Predict, Parser: new FieldStreamParser(b.Listener, b.PredictName))).ToList();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var callback = new StatusStreamingCallback(_statusMessageProvider, session);

        var program = Task.Run(async () =>
        {
            try
            {
                StreamSession.Current = session;
                using (Settings.Context(s => s with { Callbacks = [.. s.Callbacks, callback] }))
                {
                    return inputs is IReadOnlyDictionary<string, object?> dict
                        ? await Program.CallAsync(dict, cts.Token).ConfigureAwait(false)
                        : await Program.CallAsync(inputs, cts.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                switch (item)
                {
                    case LMChunkItem chunk when parsers.Count == 0:
                        yield return chunk.Update;
                        break;
                    case LMChunkItem chunk:
                        var text = chunk.Update.Text;
                        foreach (var (predict, parser) in parsers)
                        {
                            if (!ReferenceEquals(predict, chunk.Response.Predict)) continue;
                            if (parser.Receive(chunk.Response.Id, chunk.Response.Format, chunk.Response.AdapterName, text) is { } response) yield return response;
                        }
                        break;
                    case LMResponseEndItem end:
                        foreach (var (predict, parser) in parsers)
                        {
                            if (!ReferenceEquals(predict, end.Response.Predict)) continue;
                            if (parser.EndOfResponse(end.Response.Id) is { } response) yield return response;
                        }
                        break;
                    default:
                        yield return item;
                        break;
                }
            }

            var prediction = await program.ConfigureAwait(false);
            if (_includeFinalPrediction || parsers.Count == 0 || !parsers.Any(p => p.Parser.Started)) yield return prediction;
        }
        finally
        {
            // A program that failed after the consumer stopped listening: observe its exception so it is not reported as unobserved.
            if (program.IsFaulted) _ = program.Exception;
            if (!program.IsCompleted)
            {
                // The consumer stopped early or was cancelled: stop the program and wait for it, so that nothing runs on.
                await cts.CancelAsync().ConfigureAwait(false);
                try
                {
                    await program.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException || cts.IsCancellationRequested)
                {
                    // Expected: the program saw the cancellation (or failed because of it).
                }
            }
        }
    }

    // DSPy's find_predictor_for_stream_listeners: a listener without a predictor takes the one predictor with the field.
    private static List<(StreamListener, Predict, string?)> Bind(Module program, IReadOnlyList<StreamListener> listeners)
    {
        var named = program.NamedPredictors();
        var bindings = new List<(StreamListener, Predict, string?)>();
        foreach (var listener in listeners)
        {
            ArgumentNullException.ThrowIfNull(listener, nameof(listeners));
            var field = listener.SignatureFieldName;
            Predict predict;
            string? name;
            if (listener.Predict is { } given)
            {
                predict = given;
                name = listener.PredictName ?? named.FirstOrDefault(p => ReferenceEquals(p.Predictor, given)).Name;
            }
            else
            {
                var owners = named.Where(p => p.Predictor.Signature[field] is { IsOutput: true }).ToList();
                if (owners.Count == 0)
                {
                    throw new ArgumentException(
                        $"Signature field {field} is not a field of any predictor in the program, cannot automatically determine which predictor "
                        + "to use for streaming. Please verify your field name or specify the predictor to listen to.", nameof(listeners));
                }
                if (owners.Count > 1)
                {
                    throw new ArgumentException(
                        $"Signature field {field} is not unique in the program ({string.Join(", ", owners.Select(o => o.Name))}), cannot automatically "
                        + "determine which predictor to use for streaming. Please specify the predictor to listen to.", nameof(listeners));
                }
                (name, predict) = owners[0];
                name = listener.PredictName ?? name;
            }
            var output = predict.Signature[field];
            if (output is not { IsOutput: true })
            {
                throw new ArgumentException($"Signature field {field} is not an output field of the predictor {name ?? predict.ToString()}.", nameof(listeners));
            }
            if (output.Type.Kind != TypeKind.Str)
            {
                throw new ArgumentException(
                    $"Stream listener can only be applied to string output fields, but your field {field} is of type {output.Type.PythonName}.", nameof(listeners));
            }
            bindings.Add((listener, predict, name));
        }
        return bindings;
    }
}
