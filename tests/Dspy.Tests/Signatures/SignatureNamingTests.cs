namespace Dspy.Tests.Signatures;

public class SignatureNamingTests
{
    [Theory]
    [InlineData("someAttributeName42IsCool", "Some Attribute Name 42 Is Cool")]
    [InlineData("URLAddress", "URL Address")]
    [InlineData("isHTTPSSecure123", "Is HTTPS Secure 123")]
    [InlineData("text2number", "Text 2 Number")]
    [InlineData("question", "Question")]
    [InlineData("next_tool_args", "Next Tool Args")]
    [InlineData("a__b", "A  B")]
    public void InferPrefix_matches_dspy(string name, string expected) => Assert.Equal(expected, SignatureNaming.InferPrefix(name));

    [Theory]
    [InlineData("QuestionText", "question_text")]
    [InlineData("Answer", "answer")]
    [InlineData("HTMLBody", "html_body")]
    [InlineData("Top3Items", "top3_items")]
    public void ToSnakeCase_gives_python_names(string name, string expected) => Assert.Equal(expected, SignatureNaming.ToSnakeCase(name));
}
