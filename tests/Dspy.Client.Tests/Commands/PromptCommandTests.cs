using System.Text.Json;

namespace Dspy.Client.Tests.Commands;

public class PromptCommandTests
{
    private static List<(string Role, string Content)> Messages(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();

    [Fact]
    public async Task Prints_the_chat_adapter_messages_as_json()
    {
        var result = await CliProcess.RunAsync("prompt", "--signature", "question -> answer: float", "--inputs", "{\"question\": \"What is 2+2?\"}");

        Assert.Equal(0, result.ExitCode);
        var messages = Messages(result.Stdout);
        Assert.Equal(["system", "user"], messages.Select(m => m.Role));
        Assert.Equal(
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (float):\n"
            + "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
            + "[[ ## question ## ]]\n{question}\n\n"
            + "[[ ## answer ## ]]\n{answer}        # note: the value you produce must be a single float value\n\n"
            + "[[ ## completed ## ]]\n"
            + "In adhering to this structure, your objective is: \n        Given the fields `question`, produce the fields `answer`.",
            messages[0].Content);
        Assert.Equal(
            "[[ ## question ## ]]\nWhat is 2+2?\n\n"
            + "Respond with the corresponding output fields, starting with the field `[[ ## answer ## ]]` (must be formatted as a valid Python float), "
            + "and then ending with the marker for `[[ ## completed ## ]]`.",
            messages[1].Content);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Json_numbers_render_as_python_values_and_demos_become_message_pairs()
    {
        var demos = Path.GetTempFileName();
        await File.WriteAllTextAsync(demos, "{\"x\": 100.0, \"y\": true}\n\n{\"x\": 1e-07}\n{\"y\": false}\n");
        try
        {
            var result = await CliProcess.RunAsync("prompt", "-s", "x: float -> y: bool", "--demos", demos, "--inputs", "{\"x\": 2.5e-07}");

            Assert.Equal(0, result.ExitCode);
            var messages = Messages(result.Stdout);
            // The complete demo is kept, the two half demos (input only / output only) are dropped.
            Assert.Equal(["system", "user", "assistant", "user"], messages.Select(m => m.Role));
            Assert.Equal("[[ ## x ## ]]\n100.0", messages[1].Content);
            Assert.Equal("[[ ## y ## ]]\nTrue\n\n[[ ## completed ## ]]\n", messages[2].Content);
            Assert.StartsWith("[[ ## x ## ]]\n2.5e-07\n\n", messages[3].Content, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(demos);
        }
    }

    [Theory]
    [InlineData("json", "Respond with a JSON object in the following order of fields: `a`.")]
    [InlineData("xml", "Respond with the corresponding output fields wrapped in XML tags `<a>`.")]
    public async Task Other_adapters_use_their_own_reminders(string adapter, string reminderEnd)
    {
        var result = await CliProcess.RunAsync("prompt", "-s", "q -> a", "--adapter", adapter, "--inputs", "{\"q\": \"hi\"}");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith(reminderEnd, Messages(result.Stdout)[^1].Content, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "prompt", "--signature", "question answer", "--inputs", "{}" }, "--signature: Invalid signature format: 'question answer', must contain exactly one '->'.")]
    [InlineData(new[] { "prompt", "--signature", "q -> a: Foo", "--inputs", "{}" }, "--signature: Unknown name: Foo")]
    [InlineData(new[] { "prompt", "--signature", "q -> a", "--inputs", "{not json" }, "--inputs is not valid JSON")]
    [InlineData(new[] { "prompt", "--signature", "q -> a", "--inputs", "[1, 2]" }, "--inputs must be a JSON object of field names to values, not an array.")]
    [InlineData(new[] { "prompt", "--signature", "q -> a", "--inputs", "{}", "--demos", "/nonexistent/demos.jsonl" }, "--demos: cannot read '/nonexistent/demos.jsonl'")]
    [InlineData(new[] { "prompt", "--signature", "q -> a", "--inputs", "{}", "--adapter", "yaml" }, "error:")]
    [InlineData(new[] { "prompt", "--inputs", "{}" }, "--signature")]
    public async Task Bad_input_prints_one_line_and_exits_2(string[] args, string expected)
    {
        var result = await CliProcess.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
