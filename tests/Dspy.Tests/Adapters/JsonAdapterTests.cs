namespace Dspy.Tests.Adapters;

public class JsonAdapterTests
{
    [Fact]
    public void System_message_has_json_output_structure_with_escaped_notes()
    {
        var sig = Sigs.Make("Answer the question with multiple answers and scores",
            Field.Input("question"), Field.Output("answers", TypeSpec.ListOf(TypeSpec.Str)), Field.Output("scores", TypeSpec.ListOf(TypeSpec.Float)));
        Assert.Equal(
            "Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answers` (list[str]): \n2. `scores` (list[float]):\n"
            + "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
            + "Inputs will have the following structure:\n\n[[ ## question ## ]]\n{question}\n\n"
            + "Outputs will be a JSON object with the following fields.\n\n"
            + "{\n  \"answers\": \"{answers}        # note: the value you produce must adhere to the JSON schema: {\\\"type\\\": \\\"array\\\", \\\"items\\\": {\\\"type\\\": \\\"string\\\"}}\",\n"
            + "  \"scores\": \"{scores}        # note: the value you produce must adhere to the JSON schema: {\\\"type\\\": \\\"array\\\", \\\"items\\\": {\\\"type\\\": \\\"number\\\"}}\"\n}\n"
            + "In adhering to this structure, your objective is: \n        Answer the question with multiple answers and scores",
            new JsonAdapter().FormatSystemMessage(sig));
    }

    [Fact]
    public void Demos_and_reminder_use_json()
    {
        var sig = Sigs.Make(null, Field.Input("question"), Field.Input("context"), Field.Output("answer"), Field.Output("score", TypeSpec.Float));
        var messages = new JsonAdapter().Format(sig,
            [Sigs.Demo(("question", "Q1"), ("answer", "A1")), Sigs.Demo(("question", "Q0"), ("context", "C0"), ("answer", "A0"), ("score", 0.9))],
            Sigs.Inputs(("question", "Q2"), ("context", "C2")));
        Assert.Equal(6, messages.Count);
        Assert.Equal("This is an example of the task, though some input or output fields are not supplied.\n\n[[ ## question ## ]]\nQ1", messages[1].Text);
        Assert.Equal("{\n  \"answer\": \"A1\",\n  \"score\": \"Not supplied for this particular example. \"\n}", messages[2].Text);
        Assert.Equal("{\n  \"answer\": \"A0\",\n  \"score\": 0.9\n}", messages[4].Text);
        Assert.Equal(
            "[[ ## question ## ]]\nQ2\n\n[[ ## context ## ]]\nC2\n\nRespond with a JSON object in the following order of fields: `answer`, then `score` (must be formatted as a valid Python float).",
            messages[5].Text);
    }

    [Fact]
    public void Literal_and_enum_notes_in_json_structure()
    {
        var sig = Sigs.Make(null, Field.Input("text"), Field.Output("decision", TypeSpec.LiteralOf("accept", "reject")), Field.Output("label", TypeSpec.EnumOf(typeof(Sentiment))));
        Assert.Contains(
            "{\n  \"decision\": \"{decision}        # note: the value you produce must exactly match (no extra characters) one of: accept; reject\",\n"
            + "  \"label\": \"{label}        # note: the value you produce must be one of: positive; negative\"\n}",
            new JsonAdapter().FormatFieldStructure(sig), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_repairs_json_and_drops_unknown_keys()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"), Field.Output("n", TypeSpec.Int));
        var r = new JsonAdapter().Parse(sig, "Sure! {'answer': 'Paris', 'n': '3', 'extra': 1,}");
        Assert.Equal(["answer", "n"], r.Keys);
        Assert.Equal("Paris", r["answer"]);
        Assert.Equal(3L, r["n"]);
    }

    [Fact]
    public void Parse_takes_first_balanced_object_when_the_text_is_not_an_object()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"));
        var r = new JsonAdapter().Parse(sig, "[1, 2] then {\"answer\": {\"nested\": \"x\"}} trailing");
        Assert.Equal("{'nested': 'x'}", r["answer"]);
    }

    [Fact]
    public void Parse_errors_have_dspy_messages()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"), Field.Output("score", TypeSpec.Float));
        var ex = Assert.Throws<AdapterParseError>(() => new JsonAdapter().Parse(sig, "no json here"));
        Assert.Equal("LM response cannot be serialized to a JSON object.\n\nAdapter JSONAdapter failed to parse the LM response. \n\nLM Response: no json here \n\n"
            + "Expected to find output fields in the LM response: [answer, score] \n\n", ex.Message);
        var missing = Assert.Throws<AdapterParseError>(() => new JsonAdapter().Parse(sig, "{\"answer\": \"x\"}"));
        Assert.EndsWith("Actual output fields parsed from the LM response: [answer] \n\n", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_format_is_chosen_from_lm_capabilities()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"), Field.Output("summary", TypeSpec.ObjectOf(typeof(Person))));
        const string reply = "{\"answer\": \"a\", \"summary\": {\"name\": \"Ada\", \"address\": {\"city\": \"L\", \"postal_code\": \"1\"}, \"tags\": []}}";

        var none = new ScriptedLM(reply);
        await new JsonAdapter().CallAsync(none, new Dictionary<string, object?>(), sig, [], Sigs.Inputs(("q", "x")));
        Assert.False(none.Calls[0].Kwargs.ContainsKey("response_format"));

        var jsonMode = new ScriptedLM(reply) { Params = ["response_format"] };
        await new JsonAdapter().CallAsync(jsonMode, new Dictionary<string, object?>(), sig, [], Sigs.Inputs(("q", "x")));
        Assert.Equal(new Dictionary<string, object?> { ["type"] = "json_object" }, jsonMode.Calls[0].Kwargs["response_format"]);

        var structured = new ScriptedLM(reply) { Params = ["response_format"], ResponseSchema = true };
        var result = await new JsonAdapter().CallAsync(structured, new Dictionary<string, object?>(), sig, [], Sigs.Inputs(("q", "x")));
        var person = Assert.IsType<Person>(result[0]["summary"]);
        Assert.Equal(new Address("L", "1"), person.Address);
        Assert.Empty(person.Tags);
        var format = Assert.IsType<Dictionary<string, object?>>(structured.Calls[0].Kwargs["response_format"]);
        Assert.Equal("json_schema", format["type"]);
        var jsonSchema = Assert.IsType<Dictionary<string, object?>>(format["json_schema"]);
        Assert.Equal("DSPyProgramOutputs", jsonSchema["name"]);
        Assert.Equal(true, jsonSchema["strict"]);
        Assert.Equal(
            "{\"$defs\": {\"Address\": {\"properties\": {\"city\": {\"title\": \"City\", \"type\": \"string\"}, \"postal_code\": {\"title\": \"Postal Code\", \"type\": \"string\"}}, "
            + "\"required\": [\"city\", \"postal_code\"], \"title\": \"Address\", \"type\": \"object\", \"additionalProperties\": false}, "
            + "\"Person\": {\"properties\": {\"name\": {\"title\": \"Name\", \"type\": \"string\"}, \"address\": {\"$ref\": \"#/$defs/Address\"}, "
            + "\"tags\": {\"items\": {\"type\": \"string\"}, \"title\": \"Tags\", \"type\": \"array\"}}, \"required\": [\"name\", \"address\", \"tags\"], \"title\": \"Person\", \"type\": \"object\", \"additionalProperties\": false}}, "
            + "\"additionalProperties\": false, \"properties\": {\"answer\": {\"title\": \"Answer\", \"type\": \"string\"}, \"summary\": {\"$ref\": \"#/$defs/Person\"}}, "
            + "\"required\": [\"answer\", \"summary\"], \"title\": \"DSPyProgramOutputs\", \"type\": \"object\"}",
            PythonJson.Dumps(jsonSchema["schema"]));

        var dictSig = Sigs.Make(null, Field.Input("q"), Field.Output("meta", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Int)));
        var openEnded = new ScriptedLM("{\"meta\": {\"a\": 1}}") { Params = ["response_format"], ResponseSchema = true };
        await new JsonAdapter().CallAsync(openEnded, new Dictionary<string, object?>(), dictSig, [], Sigs.Inputs(("q", "x")));
        Assert.Equal(new Dictionary<string, object?> { ["type"] = "json_object" }, openEnded.Calls[0].Kwargs["response_format"]);
    }

    [Fact]
    public async Task Structured_output_failure_retries_in_json_mode()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"));
        var lm = new ScriptedLM("not json", "{\"answer\": \"ok\"}") { Params = ["response_format"], ResponseSchema = true };
        var result = await new JsonAdapter().CallAsync(lm, new Dictionary<string, object?>(), sig, [], Sigs.Inputs(("q", "x")));
        Assert.Equal("ok", result[0]["answer"]);
        Assert.Equal("json_schema", ((Dictionary<string, object?>)lm.Calls[0].Kwargs["response_format"]!)["type"]);
        Assert.Equal("json_object", ((Dictionary<string, object?>)lm.Calls[1].Kwargs["response_format"]!)["type"]);
    }

    [Fact]
    public void Tool_calls_demo_is_nested_json()
    {
        var sig = Sigs.Make(null, Field.Input("question"), Field.Output("tool_calls", TypeSpec.ToolCallsType));
        var calls = ToolCalls.FromDictList([new Dictionary<string, object?> { ["name"] = "search", ["args"] = new Dictionary<string, object?> { ["query"] = "cats" } }]);
        var messages = new JsonAdapter(useNativeFunctionCalling: false).Format(sig, [Sigs.Demo(("question", "Q1"), ("tool_calls", calls))], Sigs.Inputs(("question", "Q2")));
        Assert.Equal("{\n  \"tool_calls\": {\n    \"tool_calls\": [\n      {\n        \"name\": \"search\",\n        \"args\": {\n          \"query\": \"cats\"\n        }\n      }\n    ]\n  }\n}",
            messages[2].Text);
        Assert.Equal("[[ ## question ## ]]\nQ2\n\nRespond with a JSON object in the following order of fields: `tool_calls` (must be a JSON object like {\"tool_calls\": [{\"name\": \"...\", \"args\": {...}}]}).",
            messages[3].Text);
    }
}
