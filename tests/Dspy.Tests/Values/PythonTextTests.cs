namespace Dspy.Tests.Values;

public class PythonTextTests
{
    [Theory]
    [InlineData("    a\n      b\n    c", "a\n  b\nc")]
    [InlineData("  a\n\n  b", "a\n\nb")]
    [InlineData("  a\n \t \n  b", "a\n\nb")]
    [InlineData("\ta\n  b", "\ta\n  b")]
    [InlineData("no indent\n  x", "no indent\n  x")]
    [InlineData("  x\n", "x\n")]
    public void Dedent_matches_textwrap(string text, string expected) => Assert.Equal(expected, PythonText.Dedent(text));

    [Fact]
    public void Splitlines_matches_python()
    {
        Assert.Equal(["a", "b", "", "c"], PythonText.SplitLines("a\nb\r\n\rc\n"));
        Assert.Empty(PythonText.SplitLines(""));
        Assert.Equal(["a", "b"], PythonText.SplitLines("a\u2028b"));
    }

    [Fact]
    public void Strip_uses_python_whitespace() => Assert.Equal("x", PythonText.Strip("\x1c \t x\n\x85"));

    [Theory]
    [InlineData("postal_code", "Postal_Code")]
    [InlineData("address2line", "Address2Line")]
    [InlineData("URL", "Url")]
    public void Title_matches_python(string text, string expected) => Assert.Equal(expected, PythonText.Title(text));
}
