namespace Dspy.Tests.Modules;

public class AggregationTests
{
    private static Completions Answers(params object?[] answers) => new(
        answers.Select((a, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["reasoning"] = $"r{i}", ["answer"] = a }),
        Signature.Parse("question -> reasoning, answer"));

    [Fact]
    public void Most_common_normalised_value_wins_and_the_first_completion_with_it_is_returned()
    {
        var result = Aggregation.Majority(Answers("Paris", "London", "the Paris!", "London.", "paris"));

        Assert.Equal("Paris", result["answer"]);
        Assert.Equal("r0", result["reasoning"]);
        Assert.Equal(1, result.Completions!.Count);
    }

    [Fact]
    public void A_tie_goes_to_the_earliest_completion()
    {
        Assert.Equal("London", Aggregation.Majority(Answers("London", "Paris", "Paris", "London"))["answer"]);
        Assert.Equal("b", Aggregation.Majority(Answers("b", "a"))["answer"]);
    }

    [Fact]
    public void Values_that_normalise_to_empty_are_ignored()
    {
        // "the" and "!!" normalise to "", so the single "x" beats two empties.
        var result = Aggregation.Majority(Answers("the", "!!", "x"));
        Assert.Equal("x", result["answer"]);
        Assert.Equal("r2", result["reasoning"]);

        // When every value is ignored, the first completion is returned.
        Assert.Equal("r0", Aggregation.Majority(Answers("a", "the"))["reasoning"]);
    }

    [Fact]
    public void Field_defaults_to_the_last_output_field_and_can_be_chosen()
    {
        var c = Answers("x", "y", "y");
        Assert.Equal("y", Aggregation.Majority(c)["answer"]);
        // Every reasoning differs, so the first one wins.
        Assert.Equal("r0", Aggregation.Majority(c, field: "reasoning")["reasoning"]);
    }

    [Fact]
    public void Identity_normalisation_compares_raw_text_and_non_strings_vote_as_python_str()
    {
        Assert.Equal("Paris", Aggregation.Majority(Answers("Paris", "paris", "PARIS", "Paris"), s => s)["answer"]);
        Assert.Equal(2L, Aggregation.Majority(Answers(1L, 2L, 2L))["answer"]);
    }

    [Fact]
    public void Works_on_a_prediction_and_without_a_signature()
    {
        var pred = Prediction.FromCompletions(
        [
            new Dictionary<string, object?> { ["answer"] = "a" },
            new Dictionary<string, object?> { ["answer"] = "b" },
            new Dictionary<string, object?> { ["answer"] = "b" },
        ]);
        Assert.Equal("b", Aggregation.Majority(pred)["answer"]);
        Assert.Throws<ArgumentException>(() => Aggregation.Majority(new Prediction()));
    }
}
