using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.TestDoubles;

/// <summary>
/// A DummyLM-like test LM: serves queued responses in order, one per generation (n), rendering dictionary answers in
/// ChatAdapter marker format (<c>[[ ## field ## ]]\nvalue</c> ... <c>[[ ## completed ## ]]</c>). When the queue is empty it
/// answers <c>{"answer": "No more responses"}</c>, as DSPy's DummyLM does. It records every request, adds its usage to
/// the active usage tracker and its history entry to the calling modules, as a real LM does.
/// </summary>
public sealed class ScriptedLM : BaseLM
{
    private readonly Queue<object> _responses;
    private readonly Lock _lock = new();

    public ScriptedLM(IEnumerable<object>? responses = null, string model = "scripted/test", IReadOnlyDictionary<string, object?>? kwargs = null)
        : base(model, "chat", kwargs)
    {
        _responses = new Queue<object>(responses ?? []);
    }

    /// <summary>Usage reported for each call (set to <see cref="LMUsage.Empty"/> to simulate cache hits).</summary>
    public LMUsage UsagePerCall { get; set; } = new() { PromptTokens = 10, CompletionTokens = 5, TotalTokens = 15, Calls = 1 };

    /// <summary>Every request: the messages and the merged kwargs.</summary>
    public List<(IReadOnlyList<ChatMessage> Messages, Dictionary<string, object?> Kwargs)> Requests { get; } = [];

    /// <summary>When set, answers are computed from the request instead of dequeued.</summary>
    public Func<IReadOnlyList<ChatMessage>, object>? Responder { get; set; }

    public void Enqueue(object response)
    {
        lock (_lock) _responses.Enqueue(response);
    }

    public override async Task<LMResponse> CallAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var merged = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        if (kwargs is not null)
        {
            foreach (var (k, v) in kwargs) merged[k] = v;
        }
        var n = merged.TryGetValue("n", out var nv) && nv is not null ? Convert.ToInt32(nv, CultureInfo.InvariantCulture) : 1;
        var outputs = new List<LMOutput>();
        lock (_lock)
        {
            Requests.Add((messages, merged));
            for (var i = 0; i < n; i++)
            {
                var response = Responder?.Invoke(messages)
                    ?? (_responses.Count > 0 ? _responses.Dequeue() : new Dictionary<string, object?> { ["answer"] = "No more responses" });
                outputs.Add(new LMOutput { Text = Render(response), FinishReason = "stop" });
            }
        }
        Settings.Current.UsageTracker?.Add(Model, UsagePerCall);
        Module.RecordHistoryForCallers(new Dictionary<string, object?> { ["model"] = Model, ["messages"] = messages, ["kwargs"] = merged });
        return new LMResponse { Outputs = outputs, Usage = UsagePerCall };
    }

    public override BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var kwargs = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        if (overrides is not null)
        {
            foreach (var (k, v) in overrides)
            {
                if (v is null) kwargs.Remove(k);
                else kwargs[k] = v;
            }
        }
        return new ScriptedLM([], Model, kwargs);
    }

    public static string Render(object response)
    {
        if (response is string s) return s;
        var sb = new StringBuilder();
        foreach (var (k, v) in (IEnumerable<KeyValuePair<string, object?>>)response)
        {
            sb.Append("[[ ## ").Append(k).Append(" ## ]]\n").Append(PythonRepr.Str(v)).Append("\n\n");
        }
        return sb.Append("[[ ## completed ## ]]").ToString();
    }
}
