using Microsoft.Extensions.AI;

namespace Dspy.Tests.Sim;

public sealed class SimProposerTests
{
    private static readonly PField Text = new("text", "str");
    private static readonly PField Label = new("label", "Literal['book_flight', 'book_hotel', 'rent_car']");

    private static string GepaPrompt(string instruction, IEnumerable<(string Text, string Generated, string Feedback)> examples)
    {
        var records = examples.Select((e, i) =>
            $"# Example {i + 1}\n## Inputs\n### text\n{e.Text}\n\n## Generated Outputs\n### label\n{e.Generated}\n\n## Feedback\n{e.Feedback}\n\n");
        return "I provided an assistant with the following instructions to perform a task for me:\n```\n" + instruction + "\n```\n\n"
            + "The following are examples of different task inputs provided to the assistant along with the assistant's response for each of them, and some feedback on how the assistant's response could be better:\n```\n"
            + string.Concat(records) + "\n```\n\n"
            + "Your task is to write a new instruction for the assistant.\n\nRead the inputs carefully and identify the input format and infer detailed task description about the task I wish to solve with the assistant.\n\n"
            + "Provide the new instructions within ``` blocks.";
    }

    [Fact]
    public async Task Gepa_reflection_writes_rules_that_fix_the_failures()
    {
        var prompt = GepaPrompt("Classify the intent.",
        [
            ("get me wheels to drive around Rome", "book_flight", "Wrong. The correct label is rent_car."),
            ("find me somewhere to stay in Oslo", "book_flight", "Incorrect: expected answer: book_hotel"),
            ("reserve a seat on a plane to Lima", "book_flight", "This trajectory got a score of 1.0."),
        ]);
        var sim = new SimChatClient();
        var reply = (await sim.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)])).Text;
        Assert.StartsWith("```\n", reply, StringComparison.Ordinal);
        Assert.EndsWith("\n```", reply, StringComparison.Ordinal);
        var instruction = reply[4..^4];
        Assert.StartsWith("Classify the intent.", instruction, StringComparison.Ordinal);
        Assert.Contains("label is rent_car", instruction, StringComparison.Ordinal);
        Assert.Contains("label is book_hotel", instruction, StringComparison.Ordinal);

        // The new instruction really fixes a failure of the old one.
        string Ask(string instr, string text) =>
            DspyPrompts.ParseChat(sim.Complete(DspyPrompts.Build(PFormat.Chat, [Text], [Label], instr, [], new() { ["text"] = text })))["label"];
        Assert.Equal("rent_car", Ask(instruction, "get me wheels to drive around Paris"));
        Assert.Equal("book_hotel", Ask(instruction, "find me somewhere to stay in Kyoto"));
    }

    [Fact]
    public async Task Gepa_reflection_keeps_existing_rules()
    {
        const string current = "Classify the intent.\n\nIf the text mentions \"plane\", label is book_flight.";
        var prompt = GepaPrompt(current, [("I need a vehicle when I land", "book_flight", "The correct label is rent_car.")]);
        var reply = (await new SimChatClient().GetResponseAsync([new ChatMessage(ChatRole.User, prompt)])).Text;
        Assert.Contains("If the text mentions \"plane\", label is book_flight.", reply, StringComparison.Ordinal);
        Assert.Contains("label is rent_car.", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mipro_style_proposal_uses_the_task_demos()
    {
        var inputs = new[]
        {
            new PField("dataset_description", "str"), new PField("task_demos", "str"), new PField("basic_instruction", "str"), new PField("tip", "str"),
        };
        var outputs = new[] { new PField("proposed_instruction", "str") };
        // GroundedProposer appends each demo's "Prefix: value" lines followed by a single newline.
        const string demos = "Text: get me wheels to drive around Rome\nLabel: rent_car\nText: find me somewhere to stay in Oslo\nLabel: book_hotel\n";
        var messages = DspyPrompts.Build(PFormat.Chat, inputs, outputs, "Use the information below to learn about a task that we are trying to solve using calls to an LM, then generate a new instruction that will be used to prompt a Language Model to better solve the task.", [],
            new() { ["dataset_description"] = "Customer messages.", ["task_demos"] = demos, ["basic_instruction"] = "Classify the intent.", ["tip"] = "Keep the instruction clear and concise." });
        var sim = new SimChatClient();
        var parsed = DspyPrompts.ParseChat((await sim.GetResponseAsync(messages, new ChatOptions { Temperature = 1f, AdditionalProperties = new() { ["rollout_id"] = 5 } })).Text);
        var proposed = parsed["proposed_instruction"];
        Assert.StartsWith("Classify the intent.", proposed, StringComparison.Ordinal);
        Assert.Contains("If the text mentions", proposed, StringComparison.Ordinal);
        Assert.Contains("label is rent_car", proposed, StringComparison.Ordinal);
        Assert.Contains("label is book_hotel", proposed, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_demos_split_into_demos_with_or_without_blank_lines()
    {
        var tight = SimProposer.DemoGroups("Question: 1 + 1?\nReasoning: add\nAnswer: 2\nQuestion: 2 + 2?\nReasoning: add\nAnswer: 4\n");
        var loose = SimProposer.DemoGroups("Question: 1 + 1?\nReasoning: add\nAnswer: 2\n\nQuestion: 2 + 2?\nReasoning: add\nAnswer: 4\n\n");
        Assert.Equal(2, tight.Count);
        Assert.Equal(2, loose.Count);
        Assert.Equal(("Answer", "4"), tight[1][2]);
        Assert.Equal("Answer", loose[1][2].Key);
    }

    [Fact]
    public async Task Simba_style_advice_writes_a_rule_per_module()
    {
        var inputs = new[] { new PField("program_inputs", "str"), new PField("worse_program_trajectory", "str"), new PField("better_program_trajectory", "str"), new PField("module_names", "list[str]") };
        var outputs = new[] { new PField("discussion", "str"), new PField("module_advice", "dict[str, str]") };
        const string better = "[\n  {\n    \"module_name\": \"classify\",\n    \"inputs\": {\n      \"text\": \"get me wheels to drive around Rome\"\n    },\n    \"outputs\": {\n      \"label\": \"rent_car\"\n    }\n  }\n]";
        var messages = DspyPrompts.Build(PFormat.Chat, inputs, outputs, "Offer advice.", [],
            new() { ["program_inputs"] = "{}", ["worse_program_trajectory"] = "[]", ["better_program_trajectory"] = better, ["module_names"] = "[\"classify\"]" });
        var parsed = DspyPrompts.ParseChat((await new SimChatClient().GetResponseAsync(messages)).Text);
        var advice = Assert.IsType<Dictionary<string, object?>>(ValueModel.ParseJson(parsed["module_advice"]));
        var rule = Assert.IsType<string>(advice["classify"]);
        Assert.Matches("^If the text mentions \"[a-z ]+\", label is rent_car\\.$", rule);
    }

    [Fact]
    public void Copro_attempts_keep_the_best_and_add_the_runner_up_rules()
    {
        const string attempts = "Instruction #1: Classify.\nIf the text mentions \"plane\", label is book_flight.\nPrefix #1: Label:\nResulting Score #1: 40.0\n"
            + "Instruction #2: Classify it.\nIf the text mentions \"room\", label is book_hotel.\nPrefix #2: Label:\nResulting Score #2: 55.5";
        var merged = SimProposer.BestAttempts(attempts);
        Assert.Equal("Classify it.\nIf the text mentions \"room\", label is book_hotel.\nIf the text mentions \"plane\", label is book_flight.", merged);
    }

    [Fact]
    public void Gold_is_read_from_common_feedback_forms()
    {
        Assert.Equal("rent_car", SimProposer.GoldFrom("The correct answer is `rent_car`.", "x"));
        Assert.Equal("42", SimProposer.GoldFrom("Expected answer: 42", "41"));
        Assert.Equal("x", SimProposer.GoldFrom("This trajectory got a score of 1.0.", "x"));
        Assert.Null(SimProposer.GoldFrom("This trajectory got a score of 0.0.", "x"));
    }
}
