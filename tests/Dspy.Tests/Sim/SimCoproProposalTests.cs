namespace Dspy.Tests.Sim;

/// <summary>The simulator as COPRO's prompt model: what it proposes from what COPRO's prompts contain (docs/sim.md).</summary>
public sealed class SimCoproProposalTests
{
    private static readonly Dictionary<string, object?> Sampled = new(StringComparer.Ordinal) { ["n"] = 4L, ["temperature"] = 1.4 };

    [Fact]
    public void Unwrap_list_reverses_the_adapters_list_rendering()
    {
        var rendered = "[1] «Instruction #1: Be brief.»\n[2] «Prefix #1: Answer:»\n[3] «««\n    Instruction #2: Be brief.\n    \n    \"left\" means subtract.\n»»»\n[4] «Resulting Score #2: 70.0»";
        Assert.Equal("Instruction #1: Be brief.\nPrefix #1: Answer:\nInstruction #2: Be brief.\n\n\"left\" means subtract.\nResulting Score #2: 70.0",
            SimText.UnwrapList(rendered));
        Assert.Equal("plain text", SimText.UnwrapList("plain text"));
    }

    [Fact]
    public async Task Without_examples_every_sampled_proposal_keeps_the_instruction()
    {
        // DSPy's BasicGenerateInstruction shows only the instruction: the simulator knows no task, so it adds nothing.
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var prediction = await new Predict(CoproSignatures.BasicGenerateInstruction, Sampled)
            .CallAsync(("basic_instruction", (object?)"Given the fields `question`, produce the fields `answer`."));
        Assert.All(prediction.Completions!.Rows, r => Assert.Equal("Given the fields `question`, produce the fields `answer`.", r["proposed_instruction"]));
    }

    [Fact]
    public async Task With_examples_the_proposals_are_rules_induced_from_them_and_vary_by_sample()
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var examples = "Text: my card was stolen yesterday\nLabel: report_lost_card\n\n"
            + "Text: I think my card was stolen at the mall\nLabel: report_lost_card\n\n"
            + "Text: buy plane tickets to Rome\nLabel: book_flight\n\n"
            + "Text: get me plane tickets for two\nLabel: book_flight";
        var prediction = await new Predict(CoproSignatures.BasicGenerateInstructionWithExamples, Sampled)
            .CallAsync(("basic_instruction", (object?)"Given the fields `text`, produce the fields `label`."), ("examples", examples));
        var proposals = prediction.Completions!.Rows.Select(r => (string)r["proposed_instruction"]!).ToList();
        Assert.All(proposals, p =>
        {
            Assert.StartsWith("Given the fields `text`, produce the fields `label`.", p, StringComparison.Ordinal);
            var rules = SimRuleParser.Parse(p).Rules;
            Assert.Contains(rules, r => r.Value == "report_lost_card" && r.Match("someone stole it, my card was stolen") is not null);
            Assert.Contains(rules, r => r.Value == "book_flight");
        });
        // Sampled (temperature 1.4, one request per choice): the phrases differ between completions.
        Assert.True(proposals.Distinct().Count() > 1);
        Assert.All(prediction.Completions!.Rows, r => Assert.Equal("Label:", r["proposed_prefix_for_output_field"]));
    }

    [Fact]
    public async Task Copro_attempt_prompts_merge_the_two_best_attempts_through_the_list_rendering()
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        var attempts = new List<string>
        {
            "Instruction #1: Solve it.\n\"left\" means subtract.", "Prefix #1: Answer:", "Resulting Score #1: 40.0",
            "Instruction #2: Solve it.\n\"in each\" means multiply.", "Prefix #2: Answer:", "Resulting Score #2: 60.0",
        };
        var prediction = await new Predict(CoproSignatures.GenerateInstructionGivenAttempts).CallAsync(("attempted_instructions", (object?)attempts));
        var proposed = (string)prediction["proposed_instruction"]!;
        Assert.Contains("\"in each\" means multiply.", proposed, StringComparison.Ordinal);
        Assert.Contains("\"left\" means subtract.", proposed, StringComparison.Ordinal);
    }
}
