using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Dspy.Bench.Caching;

/// <summary>
/// The LM cache key of a typical request (system message, 4 demo pairs, the question, DSPy kwargs): rendering the
/// messages and hashing the canonical JSON, as every LM call does before it looks in the cache.
/// </summary>
[MemoryDiagnoser]
public class CacheKeyBenchmarks
{
    private IReadOnlyList<ChatMessage> _messages = [];
    private readonly Dictionary<string, object?> _kwargs = new() { ["temperature"] = 0.0, ["max_tokens"] = 1000L, ["rollout_id"] = 3L };

    [GlobalSetup]
    public void Setup()
    {
        var signature = Signature.Parse("question, context: list[str] -> answer: float");
        var demos = Enumerable.Range(0, 4).Select(i => new Example(new Dictionary<string, object?>
        {
            ["question"] = $"What is {i} plus {i}?",
            ["context"] = new List<object?> { $"{i} plus {i} is {2 * i}." },
            ["answer"] = 2.0 * i,
        })).ToList();
        _messages = new ChatAdapter().Format(signature, demos, new Dictionary<string, object?>
        {
            ["question"] = "How many moons does Mars have?",
            ["context"] = new List<object?> { "Mars has two moons." },
        });
    }

    [Benchmark(Description = "Cache key (render + SHA-256)")]
    public string ComputeKey()
    {
        var request = new Dictionary<string, object?>(_kwargs, StringComparer.Ordinal)
        {
            ["model"] = "openai/gpt-4o-mini",
            ["messages"] = MessageRendering.Render(_messages),
            ["_fn_identifier"] = "dspy.clients.lm.litellm_completion",
        };
        return Cache.ComputeKey(request);
    }
}
