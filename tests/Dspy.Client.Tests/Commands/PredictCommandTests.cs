using System.Text.Json;

namespace Dspy.Client.Tests.Commands;

public class PredictCommandTests
{
    [Fact]
    public async Task Predicts_with_the_simulated_lm_and_says_so_on_stderr()
    {
        var result = await CliProcess.RunAsync("predict", "-s", "text -> label: Literal['check_balance', 'book_flight']",
            "--inputs", "{\"text\": \"please book a flight to Rome\"}");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("using the simulated LM 'sim'", result.Stderr, StringComparison.Ordinal);
        var prediction = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("book_flight", prediction.GetProperty("label").GetString());
    }

    [Fact]
    public async Task Chain_of_thought_adds_reasoning()
    {
        var result = await CliProcess.RunAsync("predict", "-s", "question -> answer: int", "--module", "cot", "--lm", "sim",
            "--inputs", "{\"question\": \"Tom has 3 apples and buys 4 more. How many apples does he have?\"}");

        Assert.Equal(0, result.ExitCode);
        var prediction = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(["reasoning", "answer"], prediction.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, prediction.GetProperty("answer").ValueKind);
        Assert.DoesNotContain("simulated", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "missing input field 'text'")]
    [InlineData("{\"text\": \"hi\", \"extra\": 1}", "'extra' is not an input field")]
    public async Task Missing_or_unknown_inputs_are_rejected_before_any_call(string inputs, string expected)
    {
        var result = await CliProcess.RunAsync("predict", "-s", "text -> label", "--lm", "sim", "--inputs", inputs);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task An_unknown_provider_is_a_clear_error()
    {
        var result = await CliProcess.RunAsync("predict", "-s", "q -> a", "--lm", "nosuch/model", "--inputs", "{\"q\": \"x\"}");

        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("nosuch", line, StringComparison.Ordinal);
    }
}
