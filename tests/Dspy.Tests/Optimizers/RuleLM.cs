using System.Globalization;
using Dspy.Tests.TestDoubles;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Optimizers;

/// <summary>
/// A deterministic test LM for optimizer tests: the answer is computed from the request (the current input value of a
/// field in the last ChatAdapter user message, the number of demos, the kwargs), never from call order, so concurrent
/// runs give the same answers. Copies share the rule and the request log, as DSPy's LM copies share a provider.
/// </summary>
public sealed class RuleLM : BaseLM
{
    private readonly Shared _shared;

    public RuleLM(Func<Request, object> rule, string inputField = "question")
        : this(new Shared(rule, inputField), new Dictionary<string, object?>())
    {
    }

    private RuleLM(Shared shared, IReadOnlyDictionary<string, object?> kwargs) : base("rule/test", "chat", kwargs) => _shared = shared;

    /// <summary>What the rule sees.</summary>
    public sealed record Request(string Input, int DemoCount, IReadOnlyList<ChatMessage> Messages, IReadOnlyDictionary<string, object?> Kwargs)
    {
        public object? RolloutId => Kwargs.GetValueOrDefault("rollout_id");
    }

    private sealed class Shared(Func<Request, object> rule, string inputField)
    {
        public Func<Request, object> Rule { get; } = rule;
        public string InputField { get; } = inputField;
        public List<Request> Requests { get; } = [];
    }

    /// <summary>Every request so far (of this LM and its copies), in call order.</summary>
    public IReadOnlyList<Request> Requests
    {
        get
        {
            lock (_shared) return _shared.Requests.ToList();
        }
    }

    public override async Task<LMResponse> CallAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var merged = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        if (kwargs is not null)
        {
            foreach (var (k, v) in kwargs) merged[k] = v;
        }
        var request = new Request(CurrentInput(messages, _shared.InputField), messages.Count(m => m.Role == ChatRole.User) - 1, messages, merged);
        lock (_shared) _shared.Requests.Add(request);
        var answer = _shared.Rule(request);
        var usage = new LMUsage { PromptTokens = 10, CompletionTokens = 2, TotalTokens = 12, Calls = 1 };
        Settings.Current.UsageTracker?.Add(Model, usage);
        return new LMResponse { Outputs = [new LMOutput { Text = ScriptedLM.Render(answer), FinishReason = "stop" }], Usage = usage };
    }

    public override BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var kwargs = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        foreach (var (k, v) in overrides ?? new Dictionary<string, object?>())
        {
            if (v is null) kwargs.Remove(k);
            else kwargs[k] = v;
        }
        return new RuleLM(_shared, kwargs);
    }

    // The ChatAdapter puts the current inputs in the last user message as "[[ ## name ## ]]\nvalue\n\n...".
    private static string CurrentInput(IReadOnlyList<ChatMessage> messages, string field)
    {
        var text = messages.Last(m => m.Role == ChatRole.User).Text;
        var marker = $"[[ ## {field} ## ]]\n";
        var start = text.LastIndexOf(marker, StringComparison.Ordinal);
        if (start < 0) return "";
        start += marker.Length;
        var end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    /// <summary>The trailing number of a text like "q7".</summary>
    public static int NumberOf(string text) => int.Parse(new string(text.Reverse().TakeWhile(char.IsDigit).Reverse().ToArray()), CultureInfo.InvariantCulture);
}
