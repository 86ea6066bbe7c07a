namespace Dspy.Tests.Values;

public enum Color
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("r")]
    Red,
    Green,
}

public sealed record Score(double Value, int? Rank = null);

public class ValueParserTests
{
    [Theory]
    [InlineData("42", 42L)]
    [InlineData(" 7 ", 7L)]
    [InlineData("4.0", 4L)]
    [InlineData("42.", 42L)]
    public void Ints(string text, long expected) => Assert.Equal(expected, ValueParser.ParseValue(text, TypeSpec.Int));

    [Fact]
    public void Floats_including_underscores()
    {
        Assert.Equal(123456.789, ValueParser.ParseValue("123_456.789", TypeSpec.Float));
        Assert.Equal(3.14, ValueParser.ParseValue("3.14", TypeSpec.Float));
        Assert.Equal(2.0, ValueParser.ParseValue("2", TypeSpec.Float));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("no", false)]
    [InlineData("0", false)]
    public void Bools(string text, bool expected) => Assert.Equal(expected, ValueParser.ParseValue(text, TypeSpec.Bool));

    [Fact]
    public void Str_is_python_str_of_anything()
    {
        Assert.Equal("123", ValueParser.ParseValue(123L, TypeSpec.Str));
        Assert.Equal("True", ValueParser.ParseValue(true, TypeSpec.Str));
        Assert.Equal("None", ValueParser.ParseValue(null, TypeSpec.Str));
        Assert.Equal("[1, 2, 3]", ValueParser.ParseValue(new List<object?> { 1L, 2L, 3L }, TypeSpec.Str));
    }

    [Fact]
    public void Enums_match_value_then_name()
    {
        var spec = TypeSpec.EnumOf(typeof(Color));
        Assert.Equal(Color.Red, ValueParser.ParseValue("r", spec));
        Assert.Equal(Color.Red, ValueParser.ParseValue("Red", spec));
        Assert.Equal(Color.Green, ValueParser.ParseValue("Green", spec));
        var ex = Assert.Throws<ValueValidationException>(() => ValueParser.ParseValue("blue", spec));
        Assert.Equal("blue is not a valid name or value for the enum Color", ex.Message);
    }

    [Fact]
    public void Literals_unwrap_and_unquote()
    {
        var spec = TypeSpec.LiteralOf("yes", "no");
        Assert.Equal("yes", ValueParser.ParseValue(" 'yes' ", spec));
        Assert.Equal("no", ValueParser.ParseValue("str[no]", spec));
        Assert.Equal("'maybe' is not one of ('yes', 'no')", Assert.Throws<ValueValidationException>(() => ValueParser.ParseValue("maybe", spec)).Message);
    }

    [Fact]
    public void Collections_and_records()
    {
        Assert.Equal(new List<object?> { 1L, 2L }, ValueParser.ParseValue("['1', 2]", TypeSpec.ListOf(TypeSpec.Int)));
        Assert.Equal(new Dictionary<string, object?> { ["key"] = "value" }, ValueParser.ParseValue("{'key': 'value'}", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Str)));
        Assert.Equal(new List<object?> { 1L, "a" }, ValueParser.ParseValue("(1, 'a')", TypeSpec.TupleOf(TypeSpec.Int, TypeSpec.Str)));
        Assert.Equal(new Score(0.5, 2), ValueParser.ParseValue("{\"value\": \"0.5\", \"rank\": 2}", TypeSpec.ObjectOf(typeof(Score))));
        Assert.Equal(new Score(1.0), ValueParser.ParseValue("{'value': 1}", TypeSpec.ObjectOf(typeof(Score))));
        var ex = Assert.Throws<ValueValidationException>(() => ValueParser.ParseValue("{'rank': 1}", TypeSpec.ObjectOf(typeof(Score))));
        Assert.StartsWith("1 validation error for Score\nvalue\n  Field required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Optional_and_unions()
    {
        Assert.Equal("text with [placeholder]", ValueParser.ParseValue("text with [placeholder]", TypeSpec.Optional(TypeSpec.Str)));
        Assert.Equal("42", ValueParser.ParseValue("42", TypeSpec.UnionOf([TypeSpec.Int, TypeSpec.Str, TypeSpec.None])));
        Assert.Null(ValueParser.ParseValue("null", TypeSpec.Optional(TypeSpec.Int)));
        Assert.Equal(5L, ValueParser.ParseValue("5", TypeSpec.Optional(TypeSpec.Int)));
    }

    [Fact]
    public void Invalid_int_has_pydantic_style_message()
    {
        var ex = Assert.Throws<ValueValidationException>(() => ValueParser.ParseValue("Paris", TypeSpec.Int));
        Assert.Equal("1 validation error for int\n  Input should be a valid integer, unable to parse string as an integer [type=int_parsing, input_value='Paris', input_type=str]\n"
            + "    For further information visit https://errors.pydantic.dev/2.13/v/int_parsing", ex.Message);
    }

    [Fact]
    public void Custom_types_parse_from_text()
    {
        Assert.Equal("print(1)", Assert.IsType<Code>(ValueParser.ParseValue("```python\nprint(1)\n```", TypeSpec.CodeOf())).CodeText);
        var calls = Assert.IsType<ToolCalls>(ValueParser.ParseValue("{\"tool_calls\": [{\"name\": \"search\", \"args\": {\"query\": \"cats\"}}]}", TypeSpec.ToolCallsType));
        Assert.Equal("search", calls.Calls[0].Name);
    }
}

public class PydanticTextTests
{
    private sealed record Inner(string City, int Zip);

    private sealed record Outer(string Name, Inner Address, List<Inner> Others, double Score);

    [Fact]
    public void Models_print_like_pydantic()
    {
        var value = new Outer("Ada", new Inner("London", 1), [new Inner("Paris", 2)], 1.0);
        Assert.Equal("name='Ada' address=Inner(city='London', zip=1) others=[Inner(city='Paris', zip=2)] score=1.0", PydanticText.Str(value));
        Assert.Equal("Outer(name='Ada', address=Inner(city='London', zip=1), others=[Inner(city='Paris', zip=2)], score=1.0)", PydanticText.Repr(value));
        Assert.Equal("code='x = 1'", PydanticText.Str(new Code("x = 1")));
        Assert.Equal("['a', 1, None]", PydanticText.Str(new List<object?> { "a", 1L, null }));
    }
}

public class SerializeForJsonTests
{
    [Fact]
    public void Matches_pydantic_json_mode()
    {
        Assert.Equal("nan", AdapterUtils.FormatFieldValue(Field.Input("x", TypeSpec.Float), double.NaN));
        Assert.Equal("[null, 1.5]", AdapterUtils.FormatFieldValue(Field.Input("x", TypeSpec.ListOf(TypeSpec.Float)), new List<object?> { double.PositiveInfinity, 1.5 }));
        Assert.Equal("{\"1\": \"a\", \"True\": \"b\", \"2.5\": \"d\"}",
            AdapterUtils.FormatFieldValue(Field.Input("x", TypeSpec.BareDict), new Dictionary<object, object?> { [1L] = "a", [true] = "b", [2.5] = "d" }));
        Assert.Equal("[1, \"a\"]", AdapterUtils.FormatFieldValue(Field.Input("x", TypeSpec.BareList), (1, "a")));
    }
}

public class ValueModelRecordTests
{
    private sealed record Measure(string Name, double Value, float Ratio, int Count, Color Color);

    [Fact]
    public void Record_doubles_stay_python_floats()
    {
        Assert.Equal("{\"name\": \"x\", \"value\": 1.0, \"ratio\": 0.5, \"count\": 2, \"color\": \"r\"}", PythonJson.Dumps(new Measure("x", 1.0, 0.5f, 2, Color.Red)));
        Assert.Equal("{\"name\": \"x\", \"value\": 1.0, \"ratio\": 0.5, \"count\": 2, \"color\": \"r\"}",
            AdapterUtils.FormatFieldValue(Field.Input("m", TypeSpec.AnyType), new Measure("x", 1.0, 0.5f, 2, Color.Red)));
    }
}
