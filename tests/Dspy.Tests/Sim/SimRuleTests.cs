using Microsoft.Extensions.AI;

namespace Dspy.Tests.Sim;

public sealed class SimRuleTests
{
    private static readonly PField Text = new("text", "str");
    private static readonly PField Label = new("label", "Literal['book_flight', 'book_hotel', 'rent_car']");
    private static readonly PField Question = new("question", "str");
    private static readonly PField Answer = new("answer", "int");

    private static string Ask(PField input, PField output, string instructions, string value,
        List<(Dictionary<string, string>, Dictionary<string, string>)>? demos = null)
    {
        var messages = DspyPrompts.Build(PFormat.Chat, [input], [output], instructions, demos ?? [], new() { [input.Name] = value });
        return DspyPrompts.ParseChat(new SimChatClient().Complete(messages))[output.Name];
    }

    [Fact]
    public void Conditional_rule_beats_demos_and_prior()
    {
        const string rules = "Classify the intent.\nIf the text mentions \"purple elephant\" or \"zebra\", label is rent_car.";
        var demos = new List<(Dictionary<string, string>, Dictionary<string, string>)> { (new() { ["text"] = "book a flight with a purple elephant" }, new() { ["label"] = "book_flight" }) };
        Assert.Equal("rent_car", Ask(Text, Label, rules, "book a flight with a purple elephant", demos));
        Assert.Equal("rent_car", Ask(Text, Label, rules, "A Zebra, please!"));
        Assert.Equal("book_flight", Ask(Text, Label, rules, "book a flight with a purple cat", demos));
    }

    [Fact]
    public void Longer_phrase_wins_and_default_applies_last()
    {
        const string rules = "- When the input mentions \"room\", answer book_hotel.\n- If the text mentions \"room for my car\", the label should be rent_car.\n- Otherwise, answer book_flight.";
        Assert.Equal("rent_car", Ask(Text, Label, rules, "I need a room for my car"));
        Assert.Equal("book_hotel", Ask(Text, Label, rules, "I need a room"));
        Assert.Equal("book_flight", Ask(Text, Label, rules, "nothing relevant here"));
    }

    [Fact]
    public void Compute_rules_and_operator_hints()
    {
        Assert.Equal("21", Ask(Question, Answer, "If the question mentions \"packs of\", compute a * b - c.", "Ava buys 4 packs of 6 stickers and gives away 3. How many?"));
        Assert.Equal("24", Ask(Question, Answer, "\"each\" means multiply.", "There are 4 boxes and each holds 6 pens. How many?"));
        // Without a rule: the naive sum.
        Assert.Equal("10", Ask(Question, Answer, "Solve it.", "There are 4 boxes and each holds 6 pens. How many?"));
    }

    [Fact]
    public void Case_rule_applies_to_text_outputs()
    {
        var answer = new PField("answer", "str");
        var demos = new List<(Dictionary<string, string>, Dictionary<string, string>)> { (new() { ["text"] = "capital of France" }, new() { ["answer"] = "Paris" }) };
        Assert.Equal("paris", Ask(Text, answer, "Answer briefly. Always answer in lower case.", "capital of France?", demos));
    }

    [Fact]
    public void Parser_reads_the_documented_forms()
    {
        var set = SimRuleParser.Parse("""
            You are a classifier. Be careful.
            1. If the `text` mentions "lost my card" or 'card was stolen', label is report_lost_card.
            2. When text contains "pin" and "forgot", answer change_pin.
            "in total" means add.
            If the question mentions "each", the answer is a * b.
            By default, answer check_balance.
            Always answer in upper case.
            """);
        Assert.Equal(5, set.Rules.Count);
        Assert.Equal(SimCase.Upper, set.Case);
        Assert.Equal(["lost my card", "card was stolen"], set.Rules[0].Phrases);
        Assert.Equal("text", set.Rules[0].Field);
        Assert.Equal("report_lost_card", set.Rules[0].Value);
        Assert.True(set.Rules[1].RequireAll);
        Assert.Equal("chain +", set.Rules[2].Expression);
        Assert.Equal("a * b", set.Rules[3].Expression);
        Assert.True(set.Rules[4].IsDefault);
        Assert.Null(set.Rules[1].Match("I need a new pin"));
        Assert.NotNull(set.Rules[1].Match("I forgot my PIN"));
    }
}
