namespace Dspy.Tests.Sim;

/// <summary>How much the simulator leans on demos: only similar demos count, and str labels follow the demos' style.</summary>
public sealed class SimDemoEvidenceTests
{
    private static readonly PField Text = new("text", "str");
    private static readonly PField Choice = new("label", "Literal['book_flight', 'cancel_hotel', 'rent_car', 'lost_luggage']");
    private static readonly PField FreeLabel = new("label", "str");

    private static string Answer(PField output, List<(Dictionary<string, string>, Dictionary<string, string>)> demos, string text) =>
        DspyPrompts.ParseChat(new SimChatClient().Complete(DspyPrompts.Build(PFormat.Chat, [Text], [output], "Classify the intent.", demos, new() { ["text"] = text })))["label"];

    private static (Dictionary<string, string>, Dictionary<string, string>) Demo(string text, string label) =>
        (new() { ["text"] = text }, new() { ["label"] = label });

    [Fact]
    public void A_demo_below_the_similarity_threshold_does_not_override_what_the_input_says()
    {
        const string query = "please cancel my hotel reservation in Paris";
        var weak = Demo("what is the weather forecast looking like around Paris during the spring festival season", "book_flight");
        var similarity = new SimSimilarity([weak.Item1["text"], query]).Score(weak.Item1["text"], query);
        Assert.InRange(similarity, 1e-6, SimSolver.MinDemoSimilarity - 1e-6);

        Assert.Equal("cancel_hotel", Answer(Choice, [], query));
        Assert.Equal("cancel_hotel", Answer(Choice, [weak], query));
    }

    [Fact]
    public void An_unrelated_demo_does_not_change_a_zero_knowledge_guess()
    {
        // Nothing in these inputs points to a choice, so the greedy answer is a tie broken by a draw seeded from the
        // input alone: surrounding it with an unrelated demo changes nothing.
        var unrelated = Demo("my suitcase never came off the carousel", "lost_luggage");
        foreach (var query in new[] { "what's the weather like", "is it sunny over there", "tell me a joke", "what time is it now" })
        {
            Assert.Equal(Answer(Choice, [], query), Answer(Choice, [unrelated], query));
        }
    }

    [Fact]
    public void A_similar_demo_decides_even_without_label_words_in_the_input()
    {
        const string query = "drop the lodging reservation for Friday";
        var demos = new List<(Dictionary<string, string>, Dictionary<string, string>)>
        {
            Demo("call off my lodging reservation in Rome", "cancel_hotel"),
            Demo("buy plane tickets to Lisbon", "book_flight"),
            Demo("get me a vehicle to drive around Denver", "rent_car"),
        };
        Assert.Equal("cancel_hotel", Answer(Choice, demos, query));
    }

    [Fact]
    public void Str_output_copies_the_demos_label_style_instead_of_echoing_the_input()
    {
        var demos = new List<(Dictionary<string, string>, Dictionary<string, string>)>
        {
            Demo("buy plane tickets to Paris", "book_flight"),
            Demo("my suitcase never came off the carousel", "lost_luggage"),
        };

        // Without demos the zero-knowledge answer restates the input.
        Assert.Equal("get me plane tickets to Tokyo", Answer(FreeLabel, [], "get me plane tickets to Tokyo"));
        // A similar demo's label is copied.
        Assert.Equal("book_flight", Answer(FreeLabel, demos, "get me plane tickets to Tokyo"));
        // No demo is relevant: a label in the demos' snake_case style, named from the input's first content words.
        var coined = Answer(FreeLabel, demos, "cancel my hotel reservation in Rome");
        Assert.Equal("cancel_hotel", coined);
        Assert.True(SimText.IsSnakeCaseLabel(coined));
    }

    [Fact]
    public void Str_output_with_free_text_demos_is_not_treated_as_a_label()
    {
        var demos = new List<(Dictionary<string, string>, Dictionary<string, string>)>
        {
            Demo("buy plane tickets to Paris", "You want to book a flight."),
            Demo("my suitcase never came off the carousel", "Lost Luggage"),
        };
        Assert.False(SimText.IsSnakeCaseLabel("Lost Luggage"));
        Assert.Equal("You want to book a flight.", Answer(FreeLabel, demos, "buy plane tickets to Rome"));
    }
}
