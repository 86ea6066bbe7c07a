using Dspy.Samples.Agent;

namespace Dspy.Samples.Tests;

public class AgentSampleTests
{
    [Fact]
    public async Task Run_on_sim_calls_the_right_tool_with_the_question_s_arguments_and_answers_every_question()
    {
        var (code, output) = await SampleRun.RunAsync(AgentSample.RunAsync, "--lm", "sim");

        Assert.Equal(0, code);
        Assert.StartsWith("LM: sim (the deterministic simulator", output, StringComparison.Ordinal);
        var firstSteps = SampleRun.Values(output, "step 0:");
        Assert.Equal(
        [
            "calculator({\"expression\": \"48 * 12 - 30\"}) -> 546",
            "calculator({\"expression\": \"(17 + 25) / 6\"}) -> 7",
            "calculator({\"expression\": \"3.5 * 4 + 0.25\"}) -> 14.25",
        ], firstSteps.Take(3));
        Assert.StartsWith("search({\"query\": \"the fastest land animal\"}) -> [\"The cheetah", firstSteps[3], StringComparison.Ordinal);
        Assert.Equal(AgentSample.Questions().Count, SampleRun.Values(output, "answer:").Count);
        Assert.Contains("6 of 6 answers contain the expected answer with sim", output, StringComparison.Ordinal);
        // Every run ends with the finish tool, well before max_iters.
        Assert.Equal(AgentSample.Questions().Count, output.Split('\n').Count(l => l.Contains("finish({}) -> Completed.", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("48 * 12 - 30", 546)]
    [InlineData("(17 + 25) / 6", 7)]
    [InlineData("-2 * (3 + 4.5)", -15)]
    [InlineData("1,000 / 8", 125)]
    public void Calculator_evaluates_arithmetic(string expression, double expected) =>
        Assert.Equal(expected, Calculator.Evaluate(expression), 10);

    [Theory]
    [InlineData("2 +", "ends where a number was expected")]
    [InlineData("(1 + 2", "missing ')'")]
    [InlineData("2 ^ 3", "unexpected '^'")]
    [InlineData("1 / 0", "no finite value")]
    public void Calculator_rejects_bad_expressions_with_a_specific_message(string expression, string message)
    {
        var ex = Assert.Throws<FormatException>(() => Calculator.Evaluate(expression));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demos_are_replayed_through_the_real_tools()
    {
        using var model = new LocalEmbeddingGenerator();
        var search = await Embeddings.CreateAsync(AgentSample.Corpus(), new Embedder(model), k: AgentSample.K);
        var agent = await AgentSample.CreateProgramAsync(AgentSample.CreateTools(search));
        Assert.Equal(8, agent.React.Demos.Count);
        Assert.Equal(4, agent.Extract.Predict.Demos.Count);
        var riverTrajectory = (string)agent.Extract.Predict.Demos[2]["trajectory"]!;
        Assert.Contains("The Nile is often listed as the longest river", riverTrajectory, StringComparison.Ordinal);
        Assert.Contains("[[ ## observation_0 ## ]]\n84", (string)agent.Extract.Predict.Demos[0]["trajectory"]!, StringComparison.Ordinal);
    }
}
