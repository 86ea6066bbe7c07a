namespace Dspy.Tests.Adapters;

public sealed record XmlAddress(string City, string Country);

public sealed record XmlSummary(string Title, XmlAddress Address);

public sealed record TreeNode(string Label, List<TreeNode> Children);

public sealed record ScoredItem(string Name, double Score);

public class XmlAdapterTests
{
    [Fact]
    public void System_and_user_messages_match_the_xml_format()
    {
        var sig = Sigs.Make(null, Field.Input("question"), Field.Output("answer"), Field.Output("score", TypeSpec.Float));
        var messages = new XmlAdapter().Format(sig, [Sigs.Demo(("question", "Q1"), ("answer", "A1"))], Sigs.Inputs(("question", "Q2")));
        Assert.Equal(
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (str): \n2. `score` (float):\n"
            + "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
            + "<question>\n{question}\n</question>\n\n<answer>\n{answer}\n</answer>\n\n"
            + "<score>\n{score}        # note: the value you produce must be a single float value\n</score>\n"
            + "In adhering to this structure, your objective is: \n        Given the fields `question`, produce the fields `answer`, `score`.",
            messages[0].Text);
        Assert.Equal("This is an example of the task, though some input or output fields are not supplied.\n\n<question>\nQ1\n</question>", messages[1].Text);
        Assert.Equal("<answer>\nA1\n</answer>\n\n<score>\nNot supplied for this particular example. \n</score>", messages[2].Text);
        Assert.Equal("<question>\nQ2\n</question>\n\nRespond with the corresponding output fields wrapped in XML tags `<answer>`, then `<score>`.", messages[3].Text);
    }

    [Fact]
    public void Structured_outputs_use_xml_skeletons()
    {
        var sig = Sigs.Make("Answer the question with multiple answers and scores", Field.Input("question"),
            Field.Output("answers", TypeSpec.ListOf(TypeSpec.Str)), Field.Output("summary", TypeSpec.ObjectOf(typeof(XmlSummary))));
        var adapter = new XmlAdapter();
        Assert.Equal(
            "All interactions will be structured in the following way, with the appropriate values filled in.\n\n<question>\n{question}\n</question>\n\n"
            + "<answers><item>...</item></answers>\n\n<summary><title>...</title><address><city>...</city><country>...</country></address></summary>",
            adapter.FormatFieldStructure(sig));
        Assert.Equal(
            "Respond with the corresponding output fields wrapped in XML tags `<answers>`, then `<summary>`. Use this nested XML structure: "
            + "<answers><item>...</item></answers> <summary><title>...</title><address><city>...</city><country>...</country></address></summary>",
            adapter.UserMessageOutputRequirements(sig));
    }

    [Fact]
    public void Recursive_schema_terminates()
    {
        Assert.Equal("<tree><label>...</label><children><item>...</item></children></tree>", XmlAdapter.XmlSchema("tree", TypeSpec.ObjectOf(typeof(TreeNode))));
    }

    [Fact]
    public void Assistant_values_are_escaped_and_nested_values_compact()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"), Field.Output("items", TypeSpec.ListOf(TypeSpec.Int)),
            Field.Output("counts", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.ListOf(TypeSpec.Int))), Field.Output("empty", TypeSpec.ListOf(TypeSpec.Str)));
        var text = new XmlAdapter().FormatAssistantMessageContent(sig, Sigs.Inputs(("answer", "a < b & c"), ("items", new List<object?> { 1L, 2L }),
            ("counts", new Dictionary<string, object?> { ["ok"] = new List<object?> { 3L }, ["postal code"] = new List<object?> { 4L } }), ("empty", new List<object?>())));
        Assert.Equal("<answer>\na &lt; b &amp; c\n</answer>\n\n<items><item>1</item><item>2</item></items>\n\n"
            + "<counts><ok><item>3</item></ok><entry key=\"postal code\"><item>4</item></entry></counts>\n\n<empty />", text);
    }

    [Fact]
    public void Parse_casts_values_and_groups_repeated_tags()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("number", TypeSpec.Int), Field.Output("flag", TypeSpec.Bool),
            Field.Output("counts", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.ListOf(TypeSpec.Int))), Field.Output("summary", TypeSpec.ObjectOf(typeof(XmlSummary))));
        var r = new XmlAdapter().Parse(sig,
            "\n<number>42</number>\n<flag>true</flag>\n<counts><first>3</first><first>4</first><entry key=\"second key\">5</entry></counts>"
            + "<summary><title>T</title><address><city>Paris</city><country>FR</country></address></summary>");
        Assert.Equal(42L, r["number"]);
        Assert.Equal(true, r["flag"]);
        Assert.Equal(new Dictionary<string, object?> { ["first"] = new List<object?> { 3L, 4L }, ["second key"] = new List<object?> { 5L } }, r["counts"]);
        Assert.Equal(new XmlSummary("T", new XmlAddress("Paris", "FR")), r["summary"]);
    }

    [Fact]
    public void Parse_errors()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"), Field.Output("number", TypeSpec.Int));
        var missing = Assert.Throws<AdapterParseError>(() => new XmlAdapter().Parse(sig, "<answer>Paris</answer>"));
        Assert.Equal("XMLAdapter", missing.AdapterName);
        Assert.Contains("Actual output fields parsed from the LM response: [answer]", missing.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<AdapterParseError>(() => new XmlAdapter().Parse(sig, "<answer>a</answer><number>not_a_number</number>"));
        Assert.StartsWith("Failed to parse field number with value not_a_number: ", bad.Message, StringComparison.Ordinal);
        var malformed = Assert.Throws<AdapterParseError>(() => new XmlAdapter().Parse(sig, "<answer>a</number>"));
        Assert.StartsWith("Failed to parse XML: ", malformed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_models_round_trip_and_legacy_json_is_accepted()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("result", TypeSpec.ObjectOf(typeof(XmlSummary))));
        var adapter = new XmlAdapter();
        var value = new XmlSummary("foo", new XmlAddress("London", "UK"));
        var xml = adapter.FormatAssistantMessageContent(sig, Sigs.Inputs(("result", value)));
        Assert.Equal("<result><title>foo</title><address><city>London</city><country>UK</country></address></result>", xml);
        Assert.Equal(value, adapter.Parse(sig, xml)["result"]);
        Assert.Equal(value, adapter.Parse(sig, "<result>{\"title\": \"foo\", \"address\": {\"city\": \"London\", \"country\": \"UK\"}}</result>")["result"]);
    }

    [Fact]
    public void Lists_of_models_round_trip()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("items", TypeSpec.ListOf(TypeSpec.ObjectOf(typeof(ScoredItem)))));
        var adapter = new XmlAdapter();
        var items = new List<object?> { new ScoredItem("a", 1.1), new ScoredItem("b", 2.2) };
        var xml = adapter.FormatAssistantMessageContent(sig, Sigs.Inputs(("items", items)));
        Assert.Equal("<items><item><name>a</name><score>1.1</score></item><item><name>b</name><score>2.2</score></item></items>", xml);
        Assert.Equal(items, adapter.Parse(sig, xml)["items"]);
        Assert.Equal(items, adapter.Parse(sig, "<items>[{\"name\": \"a\", \"score\": 1.1}, {\"name\": \"b\", \"score\": 2.2}]</items>")["items"]);
    }

    [Fact]
    public void Recursive_model_parses()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("root", TypeSpec.ObjectOf(typeof(TreeNode))));
        var root = Assert.IsType<TreeNode>(new XmlAdapter().Parse(sig, "<root><label>parent</label><children><label>child</label><children /></children></root>")["root"]);
        Assert.Equal("parent", root.Label);
        Assert.Equal("child", Assert.Single(root.Children).Label);
        Assert.Empty(root.Children[0].Children);
    }

    [Fact]
    public void Escaped_text_round_trips_and_optional_empty_is_none()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("code"), Field.Output("note", TypeSpec.Optional(TypeSpec.Str)));
        var adapter = new XmlAdapter();
        var formatted = adapter.FormatAssistantMessageContent(sig, Sigs.Inputs(("code", "print('</code> & done')"), ("note", "x")));
        Assert.Contains("&lt;/code> &amp; done", formatted, StringComparison.Ordinal);
        Assert.Equal("print('</code> & done')", adapter.Parse(sig, formatted)["code"]);
        Assert.Null(adapter.Parse(sig, "<code>a</code><note />")["note"]);
    }
}
