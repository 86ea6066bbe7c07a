namespace Dspy.Tests.Adapters;

public class ChatAdapterParseTests
{
    private static readonly Signature QA = Sigs.Make(null, Field.Input("question"), Field.Output("answer"), Field.Output("score", TypeSpec.Float));

    [Fact]
    public void Parses_sections_first_occurrence_wins_and_unknown_headers_are_ignored()
    {
        var completion = "preamble\n[[ ## answer ## ]]\nParis\nis nice\n\n[[ ## unknown ## ]]\nx\n[[ ## score ## ]] 0.5\n[[ ## answer ## ]]\nLyon\n[[ ## completed ## ]]";
        var result = new ChatAdapter().Parse(QA, completion);
        Assert.Equal("Paris\nis nice", result["answer"]);
        Assert.Equal(0.5, result["score"]);
    }

    [Fact]
    public void Header_is_recognised_on_an_indented_line_with_dspy_offset_quirk()
    {
        // DSPy cuts the original (unstripped) line at the stripped match's end, so two characters of the marker remain.
        var result = new ChatAdapter().Parse(QA, "  [[ ## answer ## ]]\nParis\n[[ ## score ## ]]\n123_456.789");
        Assert.Equal("]]\nParis", result["answer"]);
        Assert.Equal(123456.789, result["score"]);
    }

    [Fact]
    public void Missing_field_raises_adapter_parse_error_with_dspy_message()
    {
        var ex = Assert.Throws<AdapterParseError>(() => new ChatAdapter().Parse(QA, "[[ ## answer ## ]]\nParis"));
        Assert.Equal(
            "Adapter ChatAdapter failed to parse the LM response. \n\nLM Response: [[ ## answer ## ]]\nParis \n\n"
            + "Expected to find output fields in the LM response: [answer, score] \n\nActual output fields parsed from the LM response: [answer] \n\n",
            ex.Message);
        Assert.Equal("ChatAdapter", ex.AdapterName);
    }

    [Fact]
    public void Unparseable_value_raises_with_field_message()
    {
        var ex = Assert.Throws<AdapterParseError>(() => new ChatAdapter().Parse(QA, "[[ ## answer ## ]]\nParis\n[[ ## score ## ]]\nhigh"));
        Assert.StartsWith("Failed to parse field score with value high from the LM response. Error message: 1 validation error for float\n", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\n\nAdapter ChatAdapter failed to parse the LM response. \n\n", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_mismatch_reports_python_style_error()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("verdict", TypeSpec.LiteralOf("yes", "no")));
        Assert.Equal("yes", new ChatAdapter().Parse(sig, "[[ ## verdict ## ]]\nLiteral['yes']")["verdict"]);
        Assert.Equal("no", new ChatAdapter().Parse(sig, "[[ ## verdict ## ]]\n\"no\"")["verdict"]);
        var ex = Assert.Throws<AdapterParseError>(() => new ChatAdapter().Parse(sig, "[[ ## verdict ## ]]\nmaybe"));
        Assert.StartsWith("Failed to parse field verdict with value maybe from the LM response. Error message: 'maybe' is not one of ('yes', 'no')\n\n", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_defaults_and_optional_fields_fill_missing_values()
    {
        var sig = Sigs.Make(null, Field.Input("q"), Field.Output("answer"),
            Field.Output("note", TypeSpec.Optional(TypeSpec.Str)) with { HasDefault = true, DefaultValue = "No note" },
            Field.Output("maybe", TypeSpec.Optional(TypeSpec.Str)));
        var result = new ChatAdapter().Parse(sig, "[[ ## answer ## ]]\n42");
        Assert.Equal("42", result["answer"]);
        Assert.Equal("No note", result["note"]);
        Assert.True(result.ContainsKey("maybe"));
        Assert.Null(result["maybe"]);
        Assert.Equal(["answer", "note", "maybe"], result.Keys);
    }

    [Fact]
    public void Typed_values_are_coerced()
    {
        var sig = Sigs.Make(null, Field.Input("q"),
            Field.Output("n", TypeSpec.Int), Field.Output("ok", TypeSpec.Bool), Field.Output("tags", TypeSpec.ListOf(TypeSpec.Str)),
            Field.Output("meta", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Int)), Field.Output("label", TypeSpec.EnumOf(typeof(Sentiment))),
            Field.Output("summary", TypeSpec.ObjectOf(typeof(Summary))), Field.Output("opt", TypeSpec.Optional(TypeSpec.Str)));
        var completion = "[[ ## n ## ]]\n42\n[[ ## ok ## ]]\ntrue\n[[ ## tags ## ]]\n['a', 'b',]\n[[ ## meta ## ]]\n{'x': '1'}\n"
            + "[[ ## label ## ]]\nNegative\n[[ ## summary ## ]]\n```json\n{\"headline\": \"Hi\", \"score\": \"0.5\"}\n```\n[[ ## opt ## ]]\ntext with [placeholder]";
        var r = new ChatAdapter().Parse(sig, completion);
        Assert.Equal(42L, r["n"]);
        Assert.Equal(true, r["ok"]);
        Assert.Equal(new List<object?> { "a", "b" }, r["tags"]);
        Assert.Equal(new Dictionary<string, object?> { ["x"] = 1L }, r["meta"]);
        Assert.Equal(Sentiment.Negative, r["label"]);
        Assert.Equal(new Summary("Hi", 0.5), r["summary"]);
        Assert.Equal("text with [placeholder]", r["opt"]);
    }
}
