using Microsoft.Extensions.AI;

namespace Dspy.Tests.Optimizers.Gepa;

/// <summary>A reflection LM double: answers a plain prompt with a function of the prompt and records every prompt.</summary>
public sealed class ReflectionLM(Func<string, string> reply) : BaseLM("reflect/test", "chat", new Dictionary<string, object?>())
{
    private readonly List<string> _prompts = [];

    public IReadOnlyList<string> Prompts
    {
        get
        {
            lock (_prompts) return _prompts.ToList();
        }
    }

    public override async Task<LMResponse> CallAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var prompt = Assert.Single(messages).Text;
        lock (_prompts) _prompts.Add(prompt);
        var usage = new LMUsage { PromptTokens = 50, CompletionTokens = 10, TotalTokens = 60, Calls = 1 };
        Settings.Current.UsageTracker?.Add(Model, usage);
        return new LMResponse { Outputs = [new LMOutput { Text = reply(prompt), FinishReason = "stop" }], Usage = usage };
    }

    public override BaseLM Copy(IReadOnlyDictionary<string, object?>? overrides = null) => this;
}
