using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class MultiChainComparisonTests
{
    private static Prediction Attempt(string reasoning, object? answer, string key = "reasoning") =>
        new(new Dictionary<string, object?> { [key] = reasoning, ["answer"] = answer });

    [Fact]
    public void Signature_appends_attempts_and_prepends_the_rationale()
    {
        var mcc = new MultiChainComparison(TestSignatures.QA());
        var sig = mcc.Predict.Signature;

        Assert.Equal(["question", "reasoning_attempt_1", "reasoning_attempt_2", "reasoning_attempt_3", "rationale", "answer"], sig.Fields.Select(f => f.Name));
        Assert.Equal("Student Attempt #2:", sig["reasoning_attempt_2"]!.Prefix);
        Assert.Equal("${reasoning attempt}", sig["reasoning_attempt_2"]!.Description);
        Assert.Equal("Accurate Reasoning: Thank you everyone. Let's now holistically", sig["rationale"]!.Prefix);
        Assert.Equal("${corrected reasoning}", sig["rationale"]!.Description);
        Assert.Equal(0.7, mcc.Predict.Config["temperature"]);
        Assert.Equal("answer", mcc.LastKey);
        Assert.Equal(5, new MultiChainComparison(TestSignatures.QA(), m: 5, temperature: 0.2).Predict.Signature.InputFields.Count - 1);
    }

    [Fact]
    public async Task Attempts_are_rendered_from_first_lines_and_sent_with_the_inputs()
    {
        var lm = new QueueLM(new Dictionary<string, object?> { ["rationale"] = "all agree", ["answer"] = "4" });
        var adapter = new MarkerAdapter();
        using var _ = TestSignatures.Use(lm, adapter);
        var mcc = new MultiChainComparison(TestSignatures.QA());

        var pred = await mcc.CallAsync(
            [
                Attempt("  add two and two\nthen check", "4\nmaybe"),
                Attempt("multiply", 4L, key: "rationale"),
                Attempt("guess", "five"),
            ],
            new Dictionary<string, object?> { ["question"] = "2+2?" });

        Assert.Equal("4", pred["answer"]);
        Assert.Equal("all agree", pred["rationale"]);
        var inputs = Assert.Single(adapter.Calls).Inputs;
        Assert.Equal("«I'm trying to add two and two I'm not sure but my prediction is 4»", inputs["reasoning_attempt_1"]);
        Assert.Equal("«I'm trying to multiply I'm not sure but my prediction is 4»", inputs["reasoning_attempt_2"]);
        Assert.Equal("«I'm trying to guess I'm not sure but my prediction is five»", inputs["reasoning_attempt_3"]);
        Assert.Equal("2+2?", inputs["question"]);
        Assert.False(inputs.ContainsKey("completions"));
        Assert.Equal(0.7, lm.Requests[0].Kwargs["temperature"]);
    }

    [Fact]
    public async Task The_number_of_attempts_must_be_m()
    {
        using var _ = TestSignatures.Use(new QueueLM());
        var mcc = new MultiChainComparison(TestSignatures.QA());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => mcc.CallAsync(
            [Attempt("a", "1"), Attempt("b", "2")], new Dictionary<string, object?> { ["question"] = "q" }));
        Assert.Equal(
            "The number of attempts (2) doesn't match the expected number M (3). Please set the correct value for M when initializing MultiChainComparison.",
            ex.Message);
    }

    [Fact]
    public async Task Accepts_a_completions_object_under_the_completions_key()
    {
        var lm = new QueueLM(new Dictionary<string, object?> { ["rationale"] = "r", ["answer"] = "x" });
        var adapter = new MarkerAdapter();
        using var _ = TestSignatures.Use(lm, adapter);
        var mcc = new MultiChainComparison(TestSignatures.QA(), m: 2);
        var completions = new Completions(
        [
            new Dictionary<string, object?> { ["reasoning"] = "one", ["answer"] = "x" },
            new Dictionary<string, object?> { ["reasoning"] = "two", ["answer"] = "y" },
        ]);

        await mcc.CallAsync(new Dictionary<string, object?> { ["completions"] = completions, ["question"] = "q" });

        Assert.Equal("«I'm trying to two I'm not sure but my prediction is y»", adapter.Calls[0].Inputs["reasoning_attempt_2"]);
    }
}
