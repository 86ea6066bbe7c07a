namespace Dspy.Tests.Values;

public class PythonReprTests
{
    [Fact]
    public void Repr_of_nested_values_reads_like_python()
    {
        var value = new Dictionary<string, object?>
        {
            ["a"] = new List<object?> { 1L, 2.0, true, null, "x" },
            ["b"] = "it's",
        };
        Assert.Equal("{'a': [1, 2.0, True, None, 'x'], 'b': \"it's\"}", PythonRepr.Repr(value));
    }

    [Fact]
    public void Str_of_string_is_the_string() => Assert.Equal("hello", PythonRepr.Str("hello"));

    [Fact]
    public void Repr_escapes_quotes_and_newlines() => Assert.Equal("'a\\'b\"\\n'", PythonRepr.Repr("a'b\"\n"));

    [Fact]
    public void Json_dumps_uses_python_separators_and_float_repr()
    {
        var value = new Dictionary<string, object?> { ["x"] = new List<object?> { 1.0, 1e-07, "é" }, ["y"] = false };
        Assert.Equal("{\"x\": [1.0, 1e-07, \"é\"], \"y\": false}", PythonJson.Dumps(value));
        Assert.Equal("{\"x\": [1.0, 1e-07, \"\\u00e9\"], \"y\": false}", PythonJson.Dumps(value, ensureAscii: true));
    }

    [Fact]
    public void Json_dumps_with_indent_matches_python()
    {
        var value = new Dictionary<string, object?> { ["a"] = 1L, ["b"] = new List<object?> { 2L }, ["c"] = new Dictionary<string, object?>() };
        Assert.Equal("{\n  \"a\": 1,\n  \"b\": [\n    2\n  ],\n  \"c\": {}\n}", PythonJson.Dumps(value, indent: 2));
    }
}
