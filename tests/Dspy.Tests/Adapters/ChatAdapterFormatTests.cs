using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Adapters;

public enum Sentiment
{
    [JsonStringEnumMemberName("positive")]
    Positive,
    [JsonStringEnumMemberName("negative")]
    Negative,
}

public sealed record Summary(string Headline, double Score);

public sealed record Address(string City, string PostalCode);

public sealed record Person(string Name, Address Address, List<string> Tags);

public class ChatAdapterFormatTests
{
    private const string Header = "All interactions will be structured in the following way, with the appropriate values filled in.";

    [Fact]
    public void Simple_signature_renders_system_and_user_messages_exactly()
    {
        var sig = Sigs.Make("Answer the question.", Field.Input("question"), Field.Output("answer"));
        var messages = new ChatAdapter().Format(sig, [], Sigs.Inputs(("question", "What is the capital of France?")));

        Assert.Equal(2, messages.Count);
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Equal(
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (str):\n" + Header + "\n\n"
            + "[[ ## question ## ]]\n{question}\n\n[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\n"
            + "In adhering to this structure, your objective is: \n        Answer the question.",
            messages[0].Text);
        Assert.Equal(ChatRole.User, messages[1].Role);
        Assert.Equal(
            "[[ ## question ## ]]\nWhat is the capital of France?\n\n"
            + "Respond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.",
            messages[1].Text);
    }

    [Fact]
    public void Typed_outputs_get_notes_descriptions_and_type_hints()
    {
        var sig = Sigs.Make(null,
            Field.Input("question", description: "The question to answer"),
            Field.Input("context", TypeSpec.ListOf(TypeSpec.Str)),
            Field.Output("count", TypeSpec.Int),
            Field.Output("score", TypeSpec.Float, description: "Confidence"),
            Field.Output("ok", TypeSpec.Bool),
            Field.Output("tags", TypeSpec.ListOf(TypeSpec.Str)),
            Field.Output("meta", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Int)),
            Field.Output("verdict", TypeSpec.LiteralOf("yes", "no")),
            Field.Output("label", TypeSpec.EnumOf(typeof(Sentiment))),
            Field.Output("note", TypeSpec.Optional(TypeSpec.Str)),
            Field.Output("summary", TypeSpec.ObjectOf(typeof(Summary))));
        var adapter = new ChatAdapter();

        Assert.Equal(
            "Your input fields are:\n1. `question` (str): The question to answer\n2. `context` (list[str]):\n"
            + "Your output fields are:\n1. `count` (int): \n2. `score` (float): Confidence\n3. `ok` (bool): \n4. `tags` (list[str]): \n"
            + "5. `meta` (dict[str, int]): \n6. `verdict` (Literal['yes', 'no']): \n7. `label` (Sentiment): \n8. `note` (Union[str, NoneType]): \n"
            + "9. `summary` (Summary):",
            adapter.FormatFieldDescription(sig));

        const string note = "        # note: the value you produce ";
        Assert.Equal(
            Header + "\n\n[[ ## question ## ]]\n{question}\n\n[[ ## context ## ]]\n{context}\n\n"
            + "[[ ## count ## ]]\n{count}" + note + "must be a single int value\n\n"
            + "[[ ## score ## ]]\n{score}" + note + "must be a single float value\n\n"
            + "[[ ## ok ## ]]\n{ok}" + note + "must be True or False\n\n"
            + "[[ ## tags ## ]]\n{tags}" + note + "must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"string\"}}\n\n"
            + "[[ ## meta ## ]]\n{meta}" + note + "must adhere to the JSON schema: {\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\"}}\n\n"
            + "[[ ## verdict ## ]]\n{verdict}" + note + "must exactly match (no extra characters) one of: yes; no\n\n"
            + "[[ ## label ## ]]\n{label}" + note + "must be one of: positive; negative\n\n"
            + "[[ ## note ## ]]\n{note}" + note + "must adhere to the JSON schema: {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}]}\n\n"
            + "[[ ## summary ## ]]\n{summary}" + note + "must adhere to the JSON schema: {\"type\": \"object\", \"properties\": {\"headline\": {\"type\": \"string\", \"title\": \"Headline\"}, "
            + "\"score\": {\"type\": \"number\", \"title\": \"Score\"}}, \"required\": [\"headline\", \"score\"], \"title\": \"Summary\"}\n\n"
            + "[[ ## completed ## ]]",
            adapter.FormatFieldStructure(sig));

        Assert.Equal(
            "In adhering to this structure, your objective is: \n        Given the fields `question`, `context`, produce the fields `count`, `score`, `ok`, `tags`, `meta`, `verdict`, `label`, `note`, `summary`.",
            adapter.FormatTaskDescription(sig));

        var user = adapter.FormatUserMessageContent(sig, Sigs.Inputs(("question", "Q"), ("context", new List<object?> { "alpha", "line1\nline2" })), mainRequest: true);
        Assert.Equal(
            "[[ ## question ## ]]\nQ\n\n[[ ## context ## ]]\n[\"alpha\", \"line1\\nline2\"]\n\n"
            + "Respond with the corresponding output fields, starting with the field `[[ ## count ## ]]` (must be formatted as a valid Python int), "
            + "then `[[ ## score ## ]]` (must be formatted as a valid Python float), then `[[ ## ok ## ]]` (must be formatted as a valid Python bool), "
            + "then `[[ ## tags ## ]]` (must be formatted as a valid Python list[str]), then `[[ ## meta ## ]]` (must be formatted as a valid Python dict[str, int]), "
            + "then `[[ ## verdict ## ]]` (must be formatted as a valid Python Literal['yes', 'no']), then `[[ ## label ## ]]` (must be formatted as a valid Python Sentiment), "
            + "then `[[ ## note ## ]]` (must be formatted as a valid Python Union[str, NoneType]), then `[[ ## summary ## ]]` (must be formatted as a valid Python Summary), "
            + "and then ending with the marker for `[[ ## completed ## ]]`.",
            user);
    }

    [Theory]
    [InlineData(new string[0], "N/A")]
    [InlineData(new[] { "only" }, "«only»")]
    [InlineData(new[] { "a", "b" }, "[1] «a»\n[2] «b»")]
    [InlineData(new[] { "line1\nline2", "b" }, "[1] «««\n    line1\n    line2\n»»»\n[2] «b»")]
    [InlineData(new[] { "x «quoted»", "y" }, "[1] «««\n    x «quoted»\n»»»\n[2] «y»")]
    public void List_values_in_str_fields_are_numbered(string[] items, string expected) =>
        Assert.Equal(expected, AdapterUtils.FormatFieldValue(Field.Input("context"), items.Cast<object?>().ToList()));

    [Fact]
    public void Python_values_render_like_python_str_and_json_dumps()
    {
        var sig = Sigs.Make("Do it.",
            Field.Input("big", TypeSpec.Float), Field.Input("tiny"), Field.Input("flag", TypeSpec.Bool), Field.Input("nothing"),
            Field.Input("items", TypeSpec.ListOf(TypeSpec.Float)), Field.Input("person", TypeSpec.ObjectOf(typeof(Person))),
            Field.Input("mood", TypeSpec.EnumOf(typeof(Sentiment))), Field.Output("answer"));
        var user = new ChatAdapter().FormatUserMessageContent(sig, Sigs.Inputs(("big", 100.0), ("tiny", 1e-07), ("flag", true), ("nothing", null),
            ("items", new List<object?> { 1.0, 0.5, 2L }), ("person", new Person("Ada", new Address("London", "N1"), ["math", "é"])),
            ("mood", Sentiment.Negative)));
        Assert.Equal(
            "[[ ## big ## ]]\n100.0\n\n[[ ## tiny ## ]]\n1e-07\n\n[[ ## flag ## ]]\nTrue\n\n[[ ## nothing ## ]]\nNone\n\n"
            + "[[ ## items ## ]]\n[1.0, 0.5, 2]\n\n"
            + "[[ ## person ## ]]\n{\"name\": \"Ada\", \"address\": {\"city\": \"London\", \"postal_code\": \"N1\"}, \"tags\": [\"math\", \"é\"]}\n\n"
            + "[[ ## mood ## ]]\nnegative",
            user);
    }

    [Fact]
    public void Multi_line_instructions_are_dedented_and_indented_by_eight_spaces()
    {
        var sig = Sigs.Make("  First line.\n    Indented more.\n   \n  Last line.", Field.Input("q"), Field.Output("a"));
        Assert.Equal(
            "In adhering to this structure, your objective is: \n        First line.\n          Indented more.\n        \n        Last line.",
            new ChatAdapter().FormatTaskDescription(sig));
    }

    [Fact]
    public void Demos_render_incomplete_first_then_complete_and_drop_the_rest()
    {
        var sig = Sigs.Make("Answer.", Field.Input("question"), Field.Input("context"), Field.Output("answer"), Field.Output("confidence", TypeSpec.Float));
        var demos = new[]
        {
            Sigs.Demo(("question", "Q-complete"), ("context", "C"), ("answer", "A"), ("confidence", 0.9)),
            Sigs.Demo(("question", "Q-incomplete"), ("answer", "A1")),
            Sigs.Demo(("question", "Q-no-output")),
            Sigs.Demo(("answer", "no input")),
            Sigs.Demo(("question", "Q-last-missing"), ("context", "C2"), ("confidence", 0.5)),
        };
        var messages = new ChatAdapter().Format(sig, demos, Sigs.Inputs(("question", "Q"), ("context", "C")));

        Assert.Equal(8, messages.Count);
        Assert.Equal(
            "This is an example of the task, though some input or output fields are not supplied.\n\n[[ ## question ## ]]\nQ-incomplete",
            messages[1].Text);
        Assert.Equal(
            "[[ ## answer ## ]]\nA1\n\n[[ ## confidence ## ]]\nNot supplied for this particular example.\n\n[[ ## completed ## ]]\n",
            messages[2].Text);
        Assert.Equal(ChatRole.Assistant, messages[2].Role);
        Assert.Equal(
            "[[ ## answer ## ]]\nNot supplied for this particular example. \n\n[[ ## confidence ## ]]\n0.5\n\n[[ ## completed ## ]]\n",
            messages[4].Text);
        Assert.Equal("[[ ## question ## ]]\nQ-complete\n\n[[ ## context ## ]]\nC", messages[5].Text);
        Assert.Equal("[[ ## answer ## ]]\nA\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## completed ## ]]\n", messages[6].Text);
        Assert.EndsWith("and then ending with the marker for `[[ ## completed ## ]]`.", messages[7].Text);
    }

    [Fact]
    public void Demo_with_none_value_is_incomplete_and_renders_none()
    {
        var sig = Sigs.Make("Answer.", Field.Input("question"), Field.Output("answer"));
        var messages = new ChatAdapter().Format(sig, [Sigs.Demo(("question", "Q1"), ("answer", null))], Sigs.Inputs(("question", "Q")));
        Assert.StartsWith(Adapter.IncompleteDemoPrefix, messages[1].Text);
        Assert.Equal("[[ ## answer ## ]]\nNone\n\n[[ ## completed ## ]]\n", messages[2].Text);
    }

    [Fact]
    public void History_expands_into_turns_and_leaves_the_final_message()
    {
        var sig = Sigs.Make(null, Field.Input("history", TypeSpec.HistoryType), Field.Input("question"), Field.Output("answer"));
        var history = new History(
        [
            new Dictionary<string, object?> { ["question"] = "What is 1+1?", ["answer"] = "2" },
            new Dictionary<string, object?> { ["question"] = "What is 2+2?" },
        ]);
        var messages = new ChatAdapter().Format(sig, [], Sigs.Inputs(("history", history), ("question", "What is 3+3?")));

        Assert.Equal(6, messages.Count);
        Assert.Equal(
            "Your input fields are:\n1. `history` (History): \n2. `question` (str):\nYour output fields are:\n1. `answer` (str):\n" + Header + "\n\n"
            + "[[ ## history ## ]]\n{history}\n\n[[ ## question ## ]]\n{question}\n\n[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]\n"
            + "In adhering to this structure, your objective is: \n        Given the fields `history`, `question`, produce the fields `answer`.",
            messages[0].Text);
        Assert.Equal("[[ ## question ## ]]\nWhat is 1+1?", messages[1].Text);
        Assert.Equal("[[ ## answer ## ]]\n2\n\n[[ ## completed ## ]]\n", messages[2].Text);
        Assert.Equal("[[ ## question ## ]]\nWhat is 2+2?", messages[3].Text);
        Assert.Equal("[[ ## answer ## ]]\nNone\n\n[[ ## completed ## ]]\n", messages[4].Text);
        Assert.Equal(
            "[[ ## question ## ]]\nWhat is 3+3?\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.",
            messages[5].Text);
    }

    [Fact]
    public void Literal_quoting_follows_python_rules()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("x", TypeSpec.LiteralOf("she's", "a\"b", "both'\"", true, 3L)));
        Assert.Contains("1. `x` (Literal[\"she's\", 'a\"b', 'both\\'\"', True, 3]):", new ChatAdapter().FormatFieldDescription(sig), StringComparison.Ordinal);
        Assert.Contains("must exactly match (no extra characters) one of: she's; a\"b; both'\"; True; 3", new ChatAdapter().FormatFieldStructure(sig), StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_record_output_schema_uses_defs_and_sorted_keys()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("person", TypeSpec.ObjectOf(typeof(Person))));
        Assert.Contains(
            "{person}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"object\", \"$defs\": {\"Address\": {\"type\": \"object\", "
            + "\"properties\": {\"city\": {\"type\": \"string\", \"title\": \"City\"}, \"postal_code\": {\"type\": \"string\", \"title\": \"Postal Code\"}}, "
            + "\"required\": [\"city\", \"postal_code\"], \"title\": \"Address\"}}, \"properties\": {\"address\": {\"$ref\": \"#/$defs/Address\"}, "
            + "\"name\": {\"type\": \"string\", \"title\": \"Name\"}, \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"title\": \"Tags\"}}, "
            + "\"required\": [\"name\", \"address\", \"tags\"], \"title\": \"Person\"}",
            new ChatAdapter().FormatFieldStructure(sig), StringComparison.Ordinal);
    }

    [Fact]
    public void Tool_calls_output_gets_type_description_schema_and_hint()
    {
        var sig = Sigs.Make(null, Field.Input("question"), Field.Output("next_thought"), Field.Output("tool_calls", TypeSpec.ToolCallsType));
        var adapter = new ChatAdapter();
        Assert.Equal(
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `next_thought` (str): \n2. `tool_calls` (ToolCalls): \n"
            + "    Type description of ToolCalls: Tool calls must be a JSON object with `tool_calls`, a list of calls. Each call must include `name` and `args`. "
            + "Example: {\"tool_calls\": [{\"name\": \"search\", \"args\": {\"query\": \"cats\"}}]}",
            adapter.FormatFieldDescription(sig));
        Assert.Contains(
            "{tool_calls}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"object\", \"$defs\": {\"ToolCall\": {\"type\": \"object\", "
            + "\"properties\": {\"args\": {\"type\": \"object\", \"additionalProperties\": true, \"title\": \"Args\"}, \"name\": {\"type\": \"string\", \"title\": \"Name\"}}, "
            + "\"required\": [\"name\", \"args\"], \"title\": \"ToolCall\"}}, \"properties\": {\"tool_calls\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/ToolCall\"}, "
            + "\"title\": \"Tool Calls\"}}, \"required\": [\"tool_calls\"], \"title\": \"ToolCalls\"}",
            adapter.FormatFieldStructure(sig), StringComparison.Ordinal);
        Assert.Contains("`[[ ## tool_calls ## ]]` (must be a JSON object like {\"tool_calls\": [{\"name\": \"...\", \"args\": {...}}]})",
            adapter.UserMessageOutputRequirements(sig), StringComparison.Ordinal);
    }

    [Fact]
    public void Code_output_has_description_and_no_schema_note()
    {
        var sig = Sigs.Make(null, Field.Input("question"), Field.Output("code", TypeSpec.CodeOf()));
        var adapter = new ChatAdapter();
        Assert.Contains("1. `code` (Code): \n    Type description of Code: Code represented in a string, specified in the `code` field. If this is an output field, "
            + "the code field should follow the markdown code block format, e.g. \n```python\n{code}\n```\nProgramming language: python",
            adapter.FormatFieldDescription(sig), StringComparison.Ordinal);
        Assert.Contains("[[ ## code ## ]]\n{code}\n\n[[ ## completed ## ]]", adapter.FormatFieldStructure(sig), StringComparison.Ordinal);
    }

    [Fact]
    public void Image_inputs_become_content_parts_in_order()
    {
        var sig = Sigs.Make(null, Field.Input("image", TypeSpec.ImageType), Field.Input("question"), Field.Output("answer"));
        var messages = new ChatAdapter().Format(sig, [], Sigs.Inputs(("image", new Image("https://example.com/cat.png")), ("question", "What?")));
        var parts = messages[1].Contents;
        Assert.Equal(3, parts.Count);
        Assert.Equal("[[ ## image ## ]]\n", Assert.IsType<TextContent>(parts[0]).Text);
        var uri = Assert.IsType<UriContent>(parts[1]);
        Assert.Equal("https://example.com/cat.png", uri.Uri.ToString());
        Assert.Equal("image/png", uri.MediaType);
        Assert.StartsWith("\n\n[[ ## question ## ]]\nWhat?\n\nRespond with", Assert.IsType<TextContent>(parts[2]).Text, StringComparison.Ordinal);
        Assert.Equal("1. `image` (Image): \n2. `question` (str):", new ChatAdapter().FormatFieldDescription(sig).Split("\nYour output")[0].Split("are:\n")[1]);
    }

    [Fact]
    public void Images_nested_in_lists_are_split_out_as_data_content()
    {
        var sig = Sigs.Make(null, Field.Input("images", TypeSpec.ListOf(TypeSpec.ImageType)), Field.Output("answer"));
        var img = new Image([1, 2, 3], "image/png");
        var messages = new ChatAdapter().Format(sig, [], Sigs.Inputs(("images", new List<object?> { img, new Image("https://example.com/a.jpg") })));
        var parts = messages[1].Contents;
        Assert.Contains(parts, p => p is DataContent d && d.MediaType == "image/png");
        Assert.Contains(parts, p => p is UriContent u && u.Uri.ToString() == "https://example.com/a.jpg");
        Assert.Equal("[[ ## images ## ]]\n[\"", Assert.IsType<TextContent>(parts[0]).Text);
    }
}

public class ToolInputRenderingTests
{
    private sealed class Tool
    {
        public Func<string, string> Func { get; } = q => q;

        public override string ToString() => "search, whose description is <desc>Search for documents.</desc>. It takes arguments {'query': {'type': 'string'}}.";
    }

    [Fact]
    public void Tools_render_as_their_python_str_inside_json()
    {
        var field = Field.Input("tools", TypeSpec.ListOf(TypeSpec.ToolType));
        Assert.Equal("[\"search, whose description is <desc>Search for documents.</desc>. It takes arguments {'query': {'type': 'string'}}.\"]",
            AdapterUtils.FormatFieldValue(field, new List<object?> { new Tool() }));
    }
}
