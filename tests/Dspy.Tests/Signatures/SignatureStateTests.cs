namespace Dspy.Tests.Signatures;

public class SignatureStateTests
{
    [Fact]
    public void DumpState_lists_instructions_and_fields_in_order()
    {
        var sig = Signature.Parse("question, context -> answer", "Answer it.").WithUpdatedField("answer", desc: "short answer");
        var state = sig.DumpState();
        Assert.Equal("Answer it.", state["instructions"]);
        var fields = Assert.IsType<List<object?>>(state["fields"]);
        Assert.Equal(3, fields.Count);
        Assert.Equal(
            "{'instructions': 'Answer it.', 'fields': [{'prefix': 'Question:', 'description': '${question}'}, " +
            "{'prefix': 'Context:', 'description': '${context}'}, {'prefix': 'Answer:', 'description': 'short answer'}]}",
            PythonRepr.Repr(state));
    }

    [Fact]
    public void LoadState_returns_a_new_signature_and_leaves_the_old_one_alone()
    {
        var sig = Signature.Parse("question -> answer: int");
        var state = new Dictionary<string, object?>
        {
            ["instructions"] = "Optimized instructions.",
            ["fields"] = new List<object?>
            {
                new Dictionary<string, object?> { ["prefix"] = "Q:", ["description"] = "the question" },
                new Dictionary<string, object?> { ["prefix"] = "A:", ["description"] = "the answer" },
            },
        };
        var loaded = sig.LoadState(state);
        Assert.NotSame(sig, loaded);
        Assert.Equal("Optimized instructions.", loaded.Instructions);
        Assert.Equal("Q:", loaded["question"]!.Prefix);
        Assert.Equal("the answer", loaded["answer"]!.Description);
        Assert.Equal(TypeSpec.Int, loaded["answer"]!.Type);
        Assert.Equal("Question:", sig["question"]!.Prefix);
        Assert.StartsWith("Given the fields", sig.Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public void Dump_then_load_round_trips()
    {
        var sig = Signature.FromType<Classify>().WithUpdatedField("text", prefix: "Input Text:");
        var copy = Signature.FromType<Classify>().LoadState(sig.DumpState());
        Assert.True(sig.StructurallyEquals(copy));
        Assert.Equal(PythonJson.Dumps(sig.DumpState()), PythonJson.Dumps(copy.DumpState()));
    }

    [Fact]
    public void LoadState_with_fewer_saved_fields_updates_only_those()
    {
        var sig = Signature.Parse("a, b -> c");
        var state = new Dictionary<string, object?>
        {
            ["instructions"] = "x",
            ["fields"] = new List<object?> { new Dictionary<string, object?> { ["prefix"] = "AA:", ["description"] = "aa" } },
        };
        var loaded = sig.LoadState(state);
        Assert.Equal("AA:", loaded["a"]!.Prefix);
        Assert.Equal("B:", loaded["b"]!.Prefix);
    }

    [Fact]
    public void LoadState_rejects_malformed_state()
    {
        var sig = Signature.Parse("a -> b");
        Assert.Throws<KeyNotFoundException>(() => sig.LoadState(new Dictionary<string, object?> { ["fields"] = new List<object?>() }));
        Assert.Throws<KeyNotFoundException>(() => sig.LoadState(new Dictionary<string, object?> { ["instructions"] = "x" }));
        Assert.Throws<ArgumentException>(() => sig.LoadState(new Dictionary<string, object?> { ["instructions"] = 1L, ["fields"] = new List<object?>() }));
    }

    [Theory]
    [InlineData("  Hello\n    world\n      indented\n", "Hello\nworld\n  indented")]
    [InlineData("\n\n  Text\n\n", "Text")]
    [InlineData("One line", "One line")]
    [InlineData("First\n\tTabbed", "First\nTabbed")]
    public void CleanDoc_matches_inspect_cleandoc(string input, string expected) =>
        Assert.Equal(expected, SignatureNaming.CleanDoc(input));
}
