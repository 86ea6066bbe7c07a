namespace Dspy.Tests.Adapters;

/// <summary>
/// Guards the adapter's memory budget (issue 2: at most 16 KB allocated per format + parse of a 3-field signature with
/// 4 demos). Bytes allocated on one thread are deterministic for the same code and inputs, unlike time, which is
/// measured only in bench/.
/// </summary>
public class ChatAdapterAllocationTests
{
    [Fact]
    public void Format_and_parse_of_a_three_field_signature_with_four_demos_allocates_under_16_KB()
    {
        var adapter = new ChatAdapter();
        var signature = Signature.Parse("question, context: list[str] -> answer: float", "Answer the question using the context.");
        var demos = Enumerable.Range(0, 4).Select(i => new Example(new Dictionary<string, object?>
        {
            ["question"] = $"What is {i} plus {i}?",
            ["context"] = new List<object?> { $"{i} plus {i} is {2 * i}.", "Addition is commutative." },
            ["answer"] = 2.0 * i,
        })).ToList();
        var inputs = new Dictionary<string, object?>
        {
            ["question"] = "How many moons does Mars have?",
            ["context"] = new List<object?> { "Mars has two moons, Phobos and Deimos.", "Both are small and irregular." },
        };
        const string completion = "[[ ## answer ## ]]\n2.0\n\n[[ ## completed ## ]]\n";

        void Once()
        {
            var messages = adapter.Format(signature, demos, inputs);
            var parsed = adapter.Parse(signature, completion);
            Assert.Equal(10, messages.Count);
            Assert.Equal(2.0, parsed["answer"]);
        }

        for (var i = 0; i < 20; i++) Once(); // warm up caches and JIT
        const int calls = 200;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++) Once();
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;

        Assert.True(perCall <= 16 * 1024, $"format + parse allocated {perCall:F0} bytes per call");
    }
}
