using BenchmarkDotNet.Attributes;

namespace Dspy.Bench.Adapters;

/// <summary>ChatAdapter on a 3-field signature with 4 complete demos: formatting the messages and parsing a completion.</summary>
[MemoryDiagnoser]
public class ChatAdapterBenchmarks
{
    private readonly ChatAdapter _adapter = new();
    private readonly Signature _signature = Signature.Parse("question, context: list[str] -> answer: float",
        "Answer the question using the context.");
    private readonly List<Example> _demos = [];
    private readonly Dictionary<string, object?> _inputs = new()
    {
        ["question"] = "How many moons does Mars have?",
        ["context"] = new List<object?> { "Mars has two moons, Phobos and Deimos.", "Both are small and irregular." },
    };
    private const string Completion = "[[ ## answer ## ]]\n2.0\n\n[[ ## completed ## ]]\n";

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 4; i++)
        {
            _demos.Add(new Example(new Dictionary<string, object?>
            {
                ["question"] = $"What is {i} plus {i}?",
                ["context"] = new List<object?> { $"{i} plus {i} is {2 * i}.", "Addition is commutative." },
                ["answer"] = 2.0 * i,
            }));
        }
    }

    [Benchmark(Description = "ChatAdapter format + parse")]
    public object FormatAndParse()
    {
        var messages = _adapter.Format(_signature, _demos, _inputs);
        var parsed = _adapter.Parse(_signature, Completion);
        return (messages, parsed);
    }

    [Benchmark(Description = "ChatAdapter format")]
    public object Format() => _adapter.Format(_signature, _demos, _inputs);

    [Benchmark(Description = "ChatAdapter parse")]
    public object Parse() => _adapter.Parse(_signature, Completion);
}
