namespace Dspy.Tests.Values;

public class JsonRepairTests
{
    [Fact]
    public void Single_quotes_become_a_dict() =>
        Assert.Equal(new Dictionary<string, object?> { ["answer"] = "Paris" }, JsonRepair.Loads("{'answer': 'Paris'}"));

    [Fact]
    public void Trailing_comma_is_accepted() =>
        Assert.Equal(new Dictionary<string, object?> { ["query"] = "cats" }, JsonRepair.Loads("{\"query\": \"cats\",}"));

    [Fact]
    public void Python_booleans_unquoted_keys_and_missing_brackets_but_none_stays_text()
    {
        var value = JsonRepair.Loads("{flag: True, other: None, off: False, list: [1, 2.5, 'x'");
        Assert.Equal(new Dictionary<string, object?>
        {
            ["flag"] = true, ["other"] = "None", ["off"] = false, ["list"] = new List<object?> { 1L, 2.5, "x" },
        }, value);
    }

    [Theory]
    [InlineData("{1, 2}", "[1, 2]")]
    [InlineData("{1.5, -2}", "[1.5, -2]")]
    [InlineData("{true, null}", "[true, null]")]
    [InlineData("{[1], 2}", "[[1], 2]")]
    [InlineData("{'a', 'b'}", "[\"a\", \"b\"]")]
    [InlineData("{\"k\": {1, 2}}", "{\"k\": [1, 2]}")]
    [InlineData("text {1, 2} more", "[1, 2]")]
    [InlineData("{1: 2}", "{\"1\": 2}")]
    [InlineData("{}", "{}")]
    public void Braces_without_members_read_as_an_array_like_json_repair(string text, string expected) =>
        Assert.Equal(expected, PythonJson.Dumps(JsonRepair.Loads(text)));

    [Fact]
    public void Set_literal_parses_into_a_set_field_like_dspy() =>
        Assert.Equal(new Dictionary<string, object?> { ["a"] = new List<object?> { 1L, 2L } },
            new ChatAdapter().Parse(Signature.Parse("q -> a: set[int]"), "[[ ## a ## ]]\n{1, 2}\n\n[[ ## completed ## ]]"));

    [Fact]
    public void Code_fences_and_prose_are_skipped() =>
        Assert.Equal(new List<object?> { 1L, 2L }, JsonRepair.Loads("Here you go:\n```json\n[1, 2]\n```"));

    [Fact]
    public void Underscored_numbers_inside_structures() =>
        Assert.Equal(new Dictionary<string, object?> { ["score"] = 123456.789 }, JsonRepair.Loads("{'score': 123_456.789}"));

    [Fact]
    public void Plain_text_gives_empty_string()
    {
        Assert.Equal("", JsonRepair.Loads("Paris"));
        Assert.Equal("", JsonRepair.Loads("123_456.789"));
    }

    [Fact]
    public void Valid_json_scalars_parse_strictly()
    {
        Assert.Equal(42L, JsonRepair.Loads("42"));
        Assert.Equal(3.14, JsonRepair.Loads(" 3.14 "));
        Assert.Equal(true, JsonRepair.Loads("true"));
        Assert.Equal("hi", JsonRepair.Loads("\"hi\""));
    }

    [Fact]
    public void Unescaped_inner_quotes_stay_in_the_string() =>
        Assert.Equal(new Dictionary<string, object?> { ["a"] = "he said \"hi\" there" }, JsonRepair.Loads("{\"a\": \"he said \"hi\" there\"}"));

    [Fact]
    public void Python_literal_eval_subset()
    {
        Assert.True(PythonLiteral.TryEval("123_456.789", out var f));
        Assert.Equal(123456.789, f);
        Assert.True(PythonLiteral.TryEval("(1, 'a', None)", out var t));
        Assert.Equal(new List<object?> { 1L, "a", null }, t);
        Assert.True(PythonLiteral.TryEval("{'k': [True, -2]}", out var d));
        Assert.Equal(new Dictionary<string, object?> { ["k"] = new List<object?> { true, -2L } }, d);
        Assert.False(PythonLiteral.TryEval("Paris", out _));
        Assert.False(PythonLiteral.TryEval("1 + 2", out _));
    }
}
