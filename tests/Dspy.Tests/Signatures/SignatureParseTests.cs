namespace Dspy.Tests.Signatures;

public class SignatureParseTests
{
    [Fact]
    public void Parses_inputs_and_outputs_with_types()
    {
        var sig = Signature.Parse("question, context: list[str] -> answer: float");
        Assert.Equal("StringSignature", sig.Name);
        Assert.Equal(["question", "context"], sig.InputFields.Select(f => f.Name));
        Assert.Equal(["answer"], sig.OutputFields.Select(f => f.Name));
        Assert.Equal("str", sig["question"]!.Type.PythonName);
        Assert.Equal("list[str]", sig["context"]!.Type.PythonName);
        Assert.Equal("float", sig["answer"]!.Type.PythonName);
        Assert.Equal("question, context -> answer", sig.SignatureText);
    }

    [Fact]
    public void Untyped_inputs_are_flagged_but_untyped_outputs_are_not()
    {
        var sig = Signature.Parse("q, typed: str -> a");
        Assert.True(sig["q"]!.IsTypeUndefined);
        Assert.False(sig["typed"]!.IsTypeUndefined);
        Assert.False(sig["a"]!.IsTypeUndefined);
        Assert.Equal(TypeSpec.Str, sig["a"]!.Type);
    }

    [Fact]
    public void Default_instructions_prefix_and_description()
    {
        var sig = Signature.Parse("question, context -> answer");
        Assert.Equal("Given the fields `question`, `context`, produce the fields `answer`.", sig.Instructions);
        Assert.Equal("Question:", sig["question"]!.Prefix);
        Assert.Equal("${question}", sig["question"]!.Description);
    }

    [Fact]
    public void Instructions_can_be_given_as_second_argument()
    {
        var sig = Signature.Parse("q -> a", "Answer briefly.");
        Assert.Equal("Answer briefly.", sig.Instructions);
    }

    [Theory]
    [InlineData("q a")]
    [InlineData("")]
    [InlineData("a -> b -> c")]
    [InlineData("a->b->c")]
    public void Requires_exactly_one_arrow(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => Signature.Parse(text));
        Assert.Equal($"Invalid signature format: '{text}', must contain exactly one '->'.", ex.Message);
    }

    [Fact]
    public void Duplicate_names_across_sides_use_dspy_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => Signature.Parse("b, a -> a, b"));
        Assert.Equal("Input and output fields must have distinct names, but found duplicates: 'a, b'.", ex.Message);
    }

    [Fact]
    public void A_name_repeated_within_a_side_is_one_field_at_its_first_position_with_its_last_type()
    {
        // DSPy reads each side with ast.parse, which accepts `def f(a, b, a)`, and collects the fields in a dict.
        var sig = Signature.Parse("a: int, b, a: list[str] -> c");
        Assert.Equal(["a", "b"], sig.InputFields.Select(f => f.Name));
        Assert.Equal("list[str]", sig.InputFields[0].Type.PythonName);
    }

    [Theory]
    [InlineData("a, *, b -> c", "a")]
    [InlineData("a, *rest: int, b -> c", "a")]
    [InlineData("a, /, b -> c", "b")]
    [InlineData("a, **kw -> c", "a")]
    [InlineData("*args -> c", "")]
    [InlineData("a: int = 3, b: str = 'x, y' -> c", "a,b")]
    public void Only_plain_parameters_become_input_fields(string text, string inputs)
    {
        // DSPy keeps `ast.arguments.args`: positional-only, keyword-only and variadic parameters are dropped, defaults ignored.
        Assert.Equal(inputs, string.Join(",", Signature.Parse(text).InputFields.Select(f => f.Name)));
    }

    [Theory]
    [InlineData("a = 1, b -> c")]
    [InlineData("a, **kw, b -> c")]
    [InlineData("a, * -> c")]
    [InlineData("a: list[] -> b")]
    [InlineData("a: Union[] -> b")]
    [InlineData("a: List -> b")]
    [InlineData("a -> b: Dict")]
    [InlineData("a: 'str' -> b")]
    [InlineData("a: 5 -> b")]
    [InlineData("a: ... -> b")]
    [InlineData("_a -> b")]
    [InlineData("a -> _")]
    [InlineData("instructions -> b")]
    [InlineData("a -> fields")]
    [InlineData("a -> model_dump")]
    [InlineData("a -> b: Annotated[int]")]
    [InlineData("a -> b: Mapping")]
    [InlineData("a: Union['x'] -> b")]
    public void Python_or_dspy_rejects(string text) => Assert.Throws<ArgumentException>(() => Signature.Parse(text));

    [Theory]
    [InlineData("a: None -> b", "str")]
    [InlineData("a: tuple[int, ...] -> b", "tuple[int, Ellipsis]")]
    [InlineData("a: tuple[()] -> b", "tuple[]")]
    [InlineData("a: list[(int, str)] -> b", "list[int, str]")]
    [InlineData("a: Literal[1.5, 2e3, 0x10, 1_000, 'a' 'b'] -> b", "Literal[1.5, 2000.0, 16, 1000, 'ab']")]
    [InlineData("a: None | int -> b", "Union[NoneType, int]")]
    [InlineData("a: Annotated[Optional[int], 'meta'] -> b", "Union[int, NoneType]")]
    [InlineData("a: typing.Sequence[str] -> b", "Sequence[str]")]
    [InlineData("a: dict[str, 'Item'] -> b", "dict[str, Item]")]
    [InlineData("a: Optional['Item'] -> b", "Union[ForwardRef('Item'), NoneType]")]
    [InlineData("a: Mapping[str, Iterable[int]] -> b", "Mapping[str, Iterable[int]]")]
    public void Annotations_render_as_dspy_names_them(string text, string name) =>
        Assert.Equal(name, Signature.Parse(text).InputFields[0].Type.PythonName);

    [Theory]
    [InlineData("1abc -> b")]
    [InlineData("a-b -> c")]
    [InlineData("class -> b")]
    [InlineData("a, , b -> c")]
    [InlineData(", a -> c")]
    public void Field_names_must_be_identifiers(string text) => Assert.Throws<ArgumentException>(() => Signature.Parse(text));

    [Fact]
    public void Empty_sides_and_trailing_commas_are_allowed_like_python_parameter_lists()
    {
        var sig = Signature.Parse(" -> a,");
        Assert.Empty(sig.InputFields);
        Assert.Equal(["a"], sig.OutputFields.Select(f => f.Name));
        var multi = Signature.Parse("x,\n  y: int,\n -> z");
        Assert.Equal(["x", "y"], multi.InputFields.Select(f => f.Name));
    }

    [Fact]
    public void Unknown_type_names_fail_with_dspy_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => Signature.Parse("q: Foo -> a"));
        Assert.Equal("Unknown name: Foo", ex.Message);
        var dotted = Assert.Throws<ArgumentException>(() => Signature.Parse("q: list[mod.Foo] -> a"));
        Assert.Equal("Unknown name: mod", dotted.Message);
    }

    private enum Mood { Happy, Sad }

    private sealed record Person(string Name, int Age);

    [Fact]
    public void Custom_types_resolve_enums_and_records()
    {
        var types = new Dictionary<string, Type> { ["Mood"] = typeof(Mood), ["Person"] = typeof(Person), ["models.Person"] = typeof(Person) };
        var sig = Signature.Parse("text -> mood: Mood, people: list[Person], p: models.Person", customTypes: types);
        Assert.Equal(TypeSpec.EnumOf(typeof(Mood)), sig["mood"]!.Type);
        Assert.Equal("list[Person]", sig["people"]!.Type.PythonName);
        Assert.Equal(TypeKind.Object, sig["p"]!.Type.Kind);
        Assert.Equal(typeof(Person), sig["p"]!.Type.ClrType);
    }

    [Fact]
    public void Implicit_conversion_and_FromString_parse()
    {
        Signature sig = "q -> a: int";
        Assert.Equal(TypeSpec.Int, sig["a"]!.Type);
        Assert.Equal("q -> a", Signature.FromString("q -> a").SignatureText);
    }

    [Fact]
    public void EnsureSignature_follows_dspy()
    {
        Assert.Null(Signature.EnsureSignature(null));
        var parsed = Signature.EnsureSignature("q -> a", "Do it.");
        Assert.Equal("Do it.", parsed!.Instructions);
        var sig = Signature.Parse("q -> a");
        Assert.Same(sig, Signature.EnsureSignature(sig));
        var ex = Assert.Throws<ArgumentException>(() => Signature.EnsureSignature(sig, "x"));
        Assert.Equal("Don't specify instructions when initializing with a Signature", ex.Message);
        Assert.Throws<ArgumentException>(() => Signature.EnsureSignature(42));
    }
}
