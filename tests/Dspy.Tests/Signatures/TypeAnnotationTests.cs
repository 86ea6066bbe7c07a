namespace Dspy.Tests.Signatures;

public class TypeAnnotationTests
{
    [Theory]
    [InlineData("str", "str")]
    [InlineData("int", "int")]
    [InlineData("list[str]", "list[str]")]
    [InlineData("List[str]", "list[str]")]
    [InlineData("List", "list[]")]
    [InlineData("Dict", "dict[]")]
    [InlineData("list", "list")]
    [InlineData("dict", "dict")]
    [InlineData("dict[str, list[int]]", "dict[str, list[int]]")]
    [InlineData("dict[str, list[Optional[Tuple[int,str]]]]", "dict[str, list[Union[tuple[int, str], NoneType]]]")]
    [InlineData("Optional[str]", "Union[str, NoneType]")]
    [InlineData("str | None", "Union[str, NoneType]")]
    [InlineData("None | str", "Union[NoneType, str]")]
    [InlineData("int | str | None", "Union[int, str, NoneType]")]
    [InlineData("Union[int, None]", "Union[int, NoneType]")]
    [InlineData("Union[int, NoneType]", "Union[int, NoneType]")]
    [InlineData("Union[int, Union[str, int]]", "Union[int, str]")]
    [InlineData("Union[int]", "int")]
    [InlineData("Literal['a', \"b's\"]", "Literal['a', \"b's\"]")]
    [InlineData("Literal[\"a\", 'b', 1, True, None]", "Literal['a', 'b', 1, True, None]")]
    [InlineData("Literal['a', 'a', Literal['b']]", "Literal['a', 'b']")]
    [InlineData("tuple[int, str]", "tuple[int, str]")]
    [InlineData("Tuple", "tuple[]")]
    [InlineData("set[int]", "set[int]")]
    [InlineData("Set[int]", "set[int]")]
    [InlineData("frozenset[int]", "frozenset[int]")]
    [InlineData("frozenset", "frozenset")]
    [InlineData("bytes", "bytes")]
    [InlineData("complex", "complex")]
    [InlineData("Any", "Any")]
    [InlineData("typing.List[int]", "list[int]")]
    [InlineData("dspy.Image", "Image")]
    [InlineData("list[dspy.Image]", "list[Image]")]
    [InlineData("dspy.History", "History")]
    [InlineData("dspy.ToolCalls", "ToolCalls")]
    [InlineData("list[dspy.Tool]", "list[Tool]")]
    [InlineData("dspy.Reasoning", "str")]
    [InlineData("dspy.Code", "Code")]
    [InlineData("Code[\"java\"]", "Code_java")]
    [InlineData("dspy.Code['python']", "Code_python")]
    [InlineData("Image", "Image")]
    [InlineData("History", "History")]
    public void Renders_parsed_types_as_dspy_does(string annotation, string expected) =>
        Assert.Equal(expected, Signature.ParseType(annotation).PythonName);

    [Fact]
    public void Parsed_types_have_the_expected_kinds()
    {
        Assert.Equal(TypeSpec.Optional(TypeSpec.Int), Signature.ParseType("Optional[int]"));
        Assert.Equal(TypeSpec.Optional(TypeSpec.Int), Signature.ParseType("int | None"));
        Assert.Equal(TypeSpec.ListOf(TypeSpec.ToolType), Signature.ParseType("list[dspy.Tool]"));
        Assert.Equal(TypeSpec.HistoryType, Signature.ParseType("dspy.History"));
        Assert.Equal("java", Signature.ParseType("Code['java']").CodeLanguage);
        Assert.Equal("python", Signature.ParseType("Code").CodeLanguage);
        var literal = Signature.ParseType("Literal['x', 2, False, None]");
        Assert.Equal(["x", 2L, false, null], literal.LiteralValues);
        Assert.True(literal.AllowsNone);
    }

    [Theory]
    [InlineData("Optional[int, str]", "Optional must have exactly one type argument")]
    [InlineData("Foo", "Unknown name: Foo")]
    [InlineData("list[Foo]", "Unknown name: Foo")]
    [InlineData("typing.Image", "Unknown attribute: Image on typing")]
    [InlineData("dspy.List", "Unknown attribute: List on dspy")]
    [InlineData("mod.Foo", "Unknown name: mod")]
    public void Errors_carry_dspy_messages(string annotation, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => Signature.ParseType(annotation));
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("list[str")]
    [InlineData("int[str]")]
    [InlineData("Literal[int]")]
    [InlineData("'abc'")]
    [InlineData("Optional")]
    [InlineData("list[str]]")]
    [InlineData("1.5")]
    public void Malformed_annotations_are_rejected(string annotation) =>
        Assert.Throws<ArgumentException>(() => Signature.ParseType(annotation));

    [Fact]
    public void Commas_inside_brackets_and_strings_do_not_split_fields()
    {
        var sig = Signature.Parse("a: dict[str, int], b: Literal['x, y', \"z\"] -> c: tuple[int, str]");
        Assert.Equal(["a", "b"], sig.InputFields.Select(f => f.Name));
        Assert.Equal("Literal['x, y', 'z']", sig["b"]!.Type.PythonName);
        Assert.Equal("tuple[int, str]", sig["c"]!.Type.PythonName);
    }
}
