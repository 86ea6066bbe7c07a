namespace Dspy.Tests.Sim;

public sealed class SimPriorKnowledgeTests
{
    [Fact]
    public void Unwrap_list_reverses_the_adapters_list_rendering()
    {
        var rendered = "[1] «Instruction #1: Be brief.»\n[2] «Prefix #1: Answer:»\n[3] «««\n    Instruction #2: Be brief.\n    \n    \"left\" means subtract.\n»»»\n[4] «Resulting Score #2: 70.0»";
        Assert.Equal("Instruction #1: Be brief.\nPrefix #1: Answer:\nInstruction #2: Be brief.\n\n\"left\" means subtract.\nResulting Score #2: 70.0",
            SimPriorKnowledge.UnwrapList(rendered));
        Assert.Equal("plain text", SimPriorKnowledge.UnwrapList("plain text"));
    }

    [Fact]
    public void Cue_hints_are_sampled_parse_as_rules_and_are_not_repeated()
    {
        var subsets = Enumerable.Range(0, 40).Select(i => SimPriorKnowledge.AddCueHints("Solve it.", new SimRandom((ulong)i))).Distinct().ToList();
        Assert.True(subsets.Count > 4);
        Assert.All(SimPriorKnowledge.CueHints, h => Assert.NotNull(SimRuleParser.TryParseRule(h)));
        var all = "Solve it.\n" + string.Join("\n", SimPriorKnowledge.CueHints);
        Assert.Equal(all, SimPriorKnowledge.AddCueHints(all, new SimRandom(1)));
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
