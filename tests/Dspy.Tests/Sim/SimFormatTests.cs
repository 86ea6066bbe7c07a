using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Sim;

public sealed class SimFormatTests
{
    private static readonly PField Text = new("text", "str");
    private static readonly PField Label = new("label", "Literal['book_flight', 'book_hotel', 'rent_car']");
    private static readonly PField Question = new("question", "str");
    private static readonly PField Answer = new("answer", "int");

    private static readonly List<(Dictionary<string, string>, Dictionary<string, string>)> LabelDemos =
    [
        (new() { ["text"] = "reserve a seat on a plane to Paris" }, new() { ["label"] = "book_flight" }),
        (new() { ["text"] = "find me somewhere to stay in Rome" }, new() { ["label"] = "book_hotel" }),
        (new() { ["text"] = "I need a vehicle when I land in Oslo" }, new() { ["label"] = "rent_car" }),
    ];

    [Fact]
    public async Task Chat_prompt_gets_markers_and_completed_and_the_nearest_demo_label()
    {
        var messages = DspyPrompts.Build(PFormat.Chat, [Text], [Label], "Classify the intent.", LabelDemos,
            new() { ["text"] = "please reserve a seat on a plane to Tokyo" });
        var response = await new SimChatClient().GetResponseAsync(messages);
        Assert.Equal("[[ ## label ## ]]\nbook_flight\n\n[[ ## completed ## ]]", response.Text);
        Assert.Equal("sim", response.ModelId);
    }

    [Fact]
    public async Task Json_prompt_gets_a_json_object_with_typed_values()
    {
        var demos = new List<(Dictionary<string, string>, Dictionary<string, string>)>
        {
            (new() { ["question"] = "Ava has 3 apples and buys 4 more. How many apples does Ava have now?" }, new() { ["answer"] = "7" }),
        };
        var messages = DspyPrompts.Build(PFormat.Json, [Question], [Answer], "Solve it.", demos,
            new() { ["question"] = "Ben has 10 cards and buys 5 more. How many cards does Ben have now?" });
        var text = (await new SimChatClient().GetResponseAsync(messages)).Text;
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("answer").ValueKind);
        Assert.Equal(15, doc.RootElement.GetProperty("answer").GetInt32());
    }

    [Fact]
    public async Task Response_format_json_turns_a_chat_prompt_into_json()
    {
        var messages = DspyPrompts.Build(PFormat.Chat, [Text], [Label], "Classify the intent.", LabelDemos, new() { ["text"] = "find me somewhere to stay in Lisbon" });
        var text = (await new SimChatClient().GetResponseAsync(messages, new ChatOptions { ResponseFormat = ChatResponseFormat.Json })).Text;
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("book_hotel", doc.RootElement.GetProperty("label").GetString());
    }

    [Fact]
    public async Task Xml_prompt_gets_xml_tags()
    {
        var messages = DspyPrompts.Build(PFormat.Xml, [Text], [Label], "Classify the intent.", LabelDemos, new() { ["text"] = "I need a vehicle when I land in Denver" });
        var text = (await new SimChatClient().GetResponseAsync(messages)).Text;
        Assert.Equal("<label>\nrent_car\n</label>", text);
    }

    [Fact]
    public async Task Chain_of_thought_writes_reasoning_first()
    {
        var reasoning = new PField("reasoning", "str");
        var messages = DspyPrompts.Build(PFormat.Chat, [Text], [reasoning, Label], "Classify the intent.", LabelDemos, new() { ["text"] = "find me somewhere to stay in Lisbon" });
        var text = (await new SimChatClient().GetResponseAsync(messages)).Text;
        Assert.StartsWith("[[ ## reasoning ## ]]\n", text, StringComparison.Ordinal);
        var parsed = DspyPrompts.ParseChat(text);
        Assert.Contains("most similar example", parsed["reasoning"], StringComparison.Ordinal);
        Assert.Equal("book_hotel", parsed["label"]);
        Assert.EndsWith("[[ ## completed ## ]]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_types_shape_values()
    {
        var outputs = new[] { new PField("flag", "bool"), new PField("score", "float"), new PField("tags", "list[str]") };
        var messages = DspyPrompts.Build(PFormat.Chat, [Text], outputs, "Tag it.",
            [(new() { ["text"] = "red apples" }, new() { ["flag"] = "True", ["score"] = "0.5", ["tags"] = "[\"fruit\", \"red\"]" })],
            new() { ["text"] = "green apples" });
        var parsed = DspyPrompts.ParseChat((await new SimChatClient().GetResponseAsync(messages)).Text);
        Assert.Equal("True", parsed["flag"]);
        Assert.Equal("0.5", parsed["score"]);
        Assert.Equal("[\"fruit\", \"red\"]", parsed["tags"]);
    }

    [Fact]
    public async Task Two_step_adapter_free_text_then_extraction()
    {
        const string system = "You are a helpful assistant that can solve tasks based on user input.\n"
            + "As input, you will be provided with:\n1. `text` (str):\n"
            + "Your outputs must contain:\n1. `label` (Literal['book_flight', 'book_hotel', 'rent_car']):\n"
            + "You should lay out your outputs in detail so that your answer can be understood by another agent\n"
            + "Specific instructions: If the text mentions \"somewhere to stay\", label is book_hotel.";
        var sim = new SimChatClient();
        var first = (await sim.GetResponseAsync([new(ChatRole.System, system), new(ChatRole.User, "text: find me somewhere to stay in Rome")])).Text;
        Assert.Contains("label: book_hotel", first, StringComparison.Ordinal);

        var extraction = DspyPrompts.Build(PFormat.Chat, [new PField("text", "str")], [Label], "Given the fields `text`, produce the fields `label`.", [], new() { ["text"] = first });
        var parsed = DspyPrompts.ParseChat((await sim.GetResponseAsync(extraction)).Text);
        Assert.Equal("book_hotel", parsed["label"]);
    }

    [Fact]
    public void Incomplete_demo_fields_are_ignored_and_reminder_is_not_read_as_input()
    {
        var messages = DspyPrompts.Build(PFormat.Chat, [Text], [Label], "Classify the intent.",
            [(new() { ["text"] = "reserve a seat on a plane to Paris" }, new Dictionary<string, string>())],
            new() { ["text"] = "reserve a seat on a plane to Tokyo" });
        var prompt = SimPromptParser.Parse(messages, null);
        Assert.Equal("reserve a seat on a plane to Tokyo", prompt.Inputs["text"]);
        Assert.Empty(prompt.Demos[0].Outputs);
        Assert.Equal(["book_flight", "book_hotel", "rent_car"], prompt.OutputFields[0].Choices);
        Assert.Equal("Classify the intent.", prompt.Instructions);
    }
}
