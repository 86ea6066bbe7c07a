using BenchmarkDotNet.Attributes;

namespace Dspy.Bench.Signatures;

/// <summary>Parsing DSPy string signatures, simple and with nested type annotations.</summary>
[MemoryDiagnoser]
public class SignatureParseBenchmarks
{
    [Benchmark(Description = "Signature.Parse simple")]
    public Signature Simple() => Signature.Parse("question -> answer");

    [Benchmark(Description = "Signature.Parse typed")]
    public Signature Typed() => Signature.Parse("question: str, context: list[str], hints: Optional[dict[str, int]] -> answer: float, label: Literal['yes', 'no']");
}
