using System.Text;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Modules;

/// <summary>
/// A test LM for the agent/sampling modules: serves queued replies in order (a string is the raw completion, a dictionary
/// is rendered in ChatAdapter marker format, an <see cref="Exception"/> is thrown). Copies share the queue and the request
/// log but have their own kwargs, so the kwargs each request was made with (e.g. <c>rollout_id</c>, <c>temperature</c>)
/// are visible in <see cref="Requests"/>.
/// </summary>
internal sealed class QueueLM : BaseLM
{
    private readonly Shared _shared;

    public QueueLM(params object[] replies) : this(new Shared(), null)
    {
        foreach (var r in replies) _shared.Replies.Enqueue(r);
    }

    private QueueLM(Shared shared, IReadOnlyDictionary<string, object?>? kwargs) : base("test/queue", "chat", kwargs)
    {
        _shared = shared;
    }

    /// <summary>Every request in order: its messages and the LM kwargs merged with the call kwargs.</summary>
    public List<(IReadOnlyList<ChatMessage> Messages, Dictionary<string, object?> Kwargs)> Requests => _shared.Requests;

    /// <summary>The replies not yet served.</summary>
    public int Remaining => _shared.Replies.Count;

    public void Enqueue(params object[] replies)
    {
        foreach (var r in replies) _shared.Replies.Enqueue(r);
    }

    public override async Task<LMResponse> CallAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var merged = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        foreach (var (k, v) in kwargs ?? new Dictionary<string, object?>()) merged[k] = v;
        object reply;
        lock (_shared)
        {
            _shared.Requests.Add((messages, merged));
            reply = _shared.Replies.Count > 0 ? _shared.Replies.Dequeue() : throw new InvalidOperationException("No more queued replies.");
        }
        if (reply is Exception ex) throw ex;
        return new LMResponse
        {
            Outputs = [new LMOutput { Text = Render(reply), FinishReason = "stop" }],
            Usage = new LMUsage { Calls = 1, PromptTokens = 1, CompletionTokens = 1, TotalTokens = 2 },
        };
    }

    public override BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var kwargs = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        foreach (var (k, v) in overrides ?? new Dictionary<string, object?>())
        {
            if (v is null) kwargs.Remove(k);
            else kwargs[k] = v;
        }
        return new QueueLM(_shared, kwargs);
    }

    /// <summary>The user message text of request <paramref name="i"/>.</summary>
    public string UserText(int i) => Requests[i].Messages[^1].Text;

    /// <summary>The system message text of request <paramref name="i"/>.</summary>
    public string SystemText(int i) => Requests[i].Messages[0].Text;

    private static string Render(object reply)
    {
        if (reply is string s) return s;
        var sb = new StringBuilder();
        foreach (var (k, v) in (IEnumerable<KeyValuePair<string, object?>>)reply)
        {
            sb.Append("[[ ## ").Append(k).Append(" ## ]]\n").Append(PythonRepr.Str(v)).Append("\n\n");
        }
        return sb.Append("[[ ## completed ## ]]").ToString();
    }

    private sealed class Shared
    {
        public Queue<object> Replies { get; } = new();
        public List<(IReadOnlyList<ChatMessage>, Dictionary<string, object?>)> Requests { get; } = [];
    }
}
