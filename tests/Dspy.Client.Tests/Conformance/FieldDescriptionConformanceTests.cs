using System.Text.Json.Nodes;
using Dspy.Cli;

namespace Dspy.Client.Tests.Conformance;

/// <summary>
/// Field descriptions cannot be written in a signature string, so this compares a class-style signature built in code
/// with DSPy 3.3.1's messages for the equivalent Python class:
/// <code>
/// class S(dspy.Signature):
///     """Answer with care.
///         Indented second line."""
///     question: str = dspy.InputField(desc="The question.\nSecond line {x}")
///     context: list[str] = dspy.InputField(desc="")
///     score: Optional[float] = dspy.OutputField(desc="A score between 0 and 1 ")
///     answer: str = dspy.OutputField(desc="${answer}")
///     tags: list[str] = dspy.OutputField(desc="Tags «x»")
/// </code>
/// </summary>
public sealed class FieldDescriptionConformanceTests
{
    [Theory]
    [InlineData("chat")]
    [InlineData("json")]
    [InlineData("xml")]
    public void Descriptions_and_docstring_render_like_dspy(string adapter)
    {
        var signature = new Signature(
        [
            Field.Input("question", TypeSpec.Str, description: "The question.\nSecond line {x}"),
            Field.Input("context", TypeSpec.ListOf(TypeSpec.Str), description: ""),
            Field.Output("score", TypeSpec.Optional(TypeSpec.Float), description: "A score between 0 and 1 "),
            Field.Output("answer", TypeSpec.Str, description: "${answer}"),
            Field.Output("tags", TypeSpec.ListOf(TypeSpec.Str), description: "Tags «x»"),
        ], "Answer with care.\n        Indented second line.");
        var inputs = new Dictionary<string, object?> { ["question"] = "Why?", ["context"] = new List<object?> { "a", "b" } };

        var actual = JsonNode.Parse(MessageJson.Render(CommandInputs.CreateAdapter(adapter, () => new LM("sim")).Format(signature, [], inputs)))!.AsArray();

        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "dspy-3.3.1-descriptions.json");
        var expected = JsonNode.Parse(File.ReadAllText(path))!["expected"]![adapter]!.AsArray();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((string)expected[i]!["role"]!, (string)actual[i]!["role"]!);
            Assert.Equal((string)expected[i]!["content"]!, (string)actual[i]!["content"]!);
        }
    }
}
