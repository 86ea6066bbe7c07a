using System.Text.Json.Nodes;
using Dspy.Cli;

namespace Dspy.Client.Tests.Cli;

public sealed class PromptRenderTests
{
    [Fact]
    public void History_input_given_as_json_is_a_dspy_history()
    {
        // DSPy's TwoStepAdapter prints str(dspy.History(...)), pydantic's "messages=[...]", not a dict.
        var json = PromptCommand.Render("q, history: dspy.History -> a", null, "two-step", [],
            "{\"q\": \"next\", \"history\": {\"messages\": [{\"q\": \"hi\", \"a\": \"yo\"}]}}");
        var user = (string)JsonNode.Parse(json)!.AsArray()[^1]!["content"]!;
        Assert.Equal("q: next\n\nhistory: messages=[{'q': 'hi', 'a': 'yo'}]", user);
    }

    [Fact]
    public void History_with_extra_keys_is_rejected_with_one_clear_error()
    {
        var ex = Assert.Throws<CliException>(() => PromptCommand.Render("q, history: dspy.History -> a", null, "chat", [],
            "{\"q\": \"next\", \"history\": {\"messages\": [], \"other\": 1}}"));
        Assert.StartsWith("--inputs: field 'history': ", ex.Message, StringComparison.Ordinal);
    }
}
