namespace Dspy.Tests.Adapters;

public class TwoStepAdapterTests
{
    [Fact]
    public void Main_prompt_is_natural_language()
    {
        var sig = Sigs.Make("Answer briefly.", Field.Input("question"), Field.Input("items", TypeSpec.ListOf(TypeSpec.Str)), Field.Output("answer", description: "The answer"),
            Field.Output("score", TypeSpec.Float));
        var adapter = new TwoStepAdapter(new ScriptedLM());
        var messages = adapter.Format(sig, [Sigs.Demo(("question", "Q1"), ("answer", "A1"))], Sigs.Inputs(("question", "Q2"), ("items", new List<object?> { "a", "b" })));
        Assert.Equal(
            "You are a helpful assistant that can solve tasks based on user input.\nAs input, you will be provided with:\n1. `question` (str): \n2. `items` (list[str]):\n"
            + "Your outputs must contain:\n1. `answer` (str): The answer\n2. `score` (float):\n"
            + "You should lay out your outputs in detail so that your answer can be understood by another agent\nSpecific instructions: Answer briefly.",
            messages[0].Text);
        Assert.Equal("This is an example of the task, though some input or output fields are not supplied.\n\nquestion: Q1", messages[1].Text);
        Assert.Equal("answer: A1", messages[2].Text);
        Assert.Equal("question: Q2\n\nitems: ['a', 'b']", messages[3].Text);
    }

    [Fact]
    public async Task Extraction_model_parses_the_main_answer()
    {
        var sig = Sigs.Make("Answer.", Field.Input("question"), Field.Output("answer"), Field.Output("score", TypeSpec.Float));
        var main = new ScriptedLM("The answer is Paris, and I am 90% sure.");
        var extractor = new ScriptedLM("[[ ## answer ## ]]\nParis\n\n[[ ## score ## ]]\n0.9\n\n[[ ## completed ## ]]");
        var result = await new TwoStepAdapter(extractor).CallAsync(main, new Dictionary<string, object?>(), sig, [], Sigs.Inputs(("question", "Capital of France?")));
        Assert.Equal("Paris", result[0]["answer"]);
        Assert.Equal(0.9, result[0]["score"]);
        var system = extractor.Calls[0].Messages[0].Text;
        Assert.EndsWith(
            "In adhering to this structure, your objective is: \n        The input is a text that should contain all the necessary information to produce the fields `answer`, `score`. "
            + "            Your job is to extract the fields from the text verbatim. Extract precisely the appropriate value (content) for each field.",
            system, StringComparison.Ordinal);
        Assert.StartsWith("[[ ## text ## ]]\nThe answer is Paris, and I am 90% sure.\n\n", extractor.Calls[0].Messages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extraction_failure_is_an_adapter_parse_error()
    {
        var sig = Sigs.Make("Answer.", Field.Input("question"), Field.Output("answer"));
        var main = new ScriptedLM("Paris");
        var extractor = new ScriptedLM("garbage", "also garbage");
        var ex = await Assert.ThrowsAsync<AdapterParseError>(() => new TwoStepAdapter(extractor).CallAsync(main, new Dictionary<string, object?>(), sig, [], Sigs.Inputs(("question", "Q"))));
        Assert.StartsWith("Failed to parse response from the original completion: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal("TwoStepAdapter", ex.AdapterName);
    }
}
