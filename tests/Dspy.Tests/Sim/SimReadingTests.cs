namespace Dspy.Tests.Sim;

/// <summary>Extractive answers, argument patterns and ReAct trajectories: what the sim learns from RAG and agent demos.</summary>
public sealed class SimReadingTests
{
    private static Example Demo(string[] context, string question, string response) =>
        new Example { ["context"] = context.ToList(), ["question"] = question, ["response"] = response }.WithInputs("context", "question");

    [Fact]
    public async Task Demos_that_quote_a_whole_passage_teach_it_to_quote_the_best_matching_passage()
    {
        var rag = new Predict("context, question -> response")
        {
            Demos =
            [
                Demo(["Honey does not spoil because it is acidic.", "Tea comes from a plant."], "Why does honey keep?", "Honey does not spoil because it is acidic."),
                Demo(["Owls can turn their heads far.", "The Danube flows through ten countries."], "How many countries does the Danube cross?", "The Danube flows through ten countries."),
            ],
        };
        using (Settings.Context(lm: new LM("sim")))
        {
            var p = await rag.CallAsync(new Example
            {
                ["context"] = new List<string> { "Bats are mammals that fly.", "Penguins live in the Southern Hemisphere and cannot fly." },
                ["question"] = "Where do penguins live?",
            }.WithInputs("context", "question"));
            Assert.Equal("Penguins live in the Southern Hemisphere and cannot fly.", p["response"]);
        }
    }

    [Fact]
    public async Task Demos_that_quote_a_sentence_teach_it_to_quote_sentences()
    {
        var rag = new Predict("context, question -> response")
        {
            Demos = [Demo(["Paris is in France. It has many museums and old bridges."], "What does Paris have?", "It has many museums and old bridges.")],
        };
        using (Settings.Context(lm: new LM("sim")))
        {
            var p = await rag.CallAsync(new Example
            {
                ["context"] = new List<string> { "Lima is in Peru. Its old town has colonial churches and balconies." },
                ["question"] = "What is in the old town of Lima?",
            }.WithInputs("context", "question"));
            Assert.Equal("Its old town has colonial churches and balconies.", p["response"]);
        }
    }

    [Fact]
    public async Task Dict_values_copied_from_the_demo_input_are_taken_from_the_same_place_in_the_new_input()
    {
        var predict = new Predict("question -> args: dict[str, Any]")
        {
            Demos = [new Example { ["question"] = "Please compute 12 * 7 for me.", ["args"] = new Dictionary<string, object?> { ["expression"] = "12 * 7", ["mode"] = "exact" } }.WithInputs("question")],
        };
        using (Settings.Context(lm: new LM("sim")))
        {
            var p = await predict.CallAsync(new { question = "Please compute (3 + 4) * 10 for me." });
            var args = p.Get<Dictionary<string, object?>>("args");
            Assert.Equal("(3 + 4) * 10", args["expression"]);
            Assert.Equal("exact", args["mode"]); // not in the demo's input: kept as the demo had it
        }
    }

    [Fact]
    public void Markers_inside_a_known_field_are_part_of_its_value()
    {
        var fields = new List<SimField>
        {
            new("question", "str", SimValueKind.Str, [], null),
            new("trajectory", "str", SimValueKind.Str, [], null),
        };
        var text = "[[ ## question ## ]]\nq\n\n[[ ## trajectory ## ]]\n[[ ## thought_0 ## ]]\nhmm\n\n[[ ## observation_0 ## ]]\n42";
        var values = SimMessageReader.ReadMarkers(text, fields);
        Assert.Equal(["question", "trajectory"], values.Keys);
        Assert.Equal("[[ ## thought_0 ## ]]\nhmm\n\n[[ ## observation_0 ## ]]\n42", values["trajectory"]);
        // Without known fields every marker opens a section, as before.
        Assert.Equal(4, SimMessageReader.ReadMarkers(text).Count);
    }
}
