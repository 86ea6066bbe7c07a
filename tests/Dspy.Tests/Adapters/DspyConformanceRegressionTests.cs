namespace Dspy.Tests.Adapters;

/// <summary>
/// Differences from DSPy 3.3.1 found by the differential harness (tools/conformance); the expected strings are what
/// DSPy's adapters print for the same signature and values.
/// </summary>
public class DspyConformanceRegressionTests
{
    private static string Note(string signature) =>
        AdapterUtils.TranslateFieldType(Signature.Parse(signature).OutputFields[0]);

    [Theory]
    [InlineData("a -> b: None | int", "{b}        # note: the value you produce must adhere to the JSON schema: {\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"null\"}]}")]
    [InlineData("a -> b: Union[None, str, int]", "{b}        # note: the value you produce must adhere to the JSON schema: {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}, {\"type\": \"null\"}]}")]
    [InlineData("a -> b: tuple[int, ...]", "{b}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"integer\"}}")]
    [InlineData("a -> b: frozenset[int]", "{b}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"uniqueItems\": true}")]
    [InlineData("a -> b: Sequence[str]", "{b}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"string\"}}")]
    [InlineData("a -> b: Mapping[str, int]", "{b}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\"}}")]
    [InlineData("a -> b: tuple[()]", "{b}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"array\", \"maxItems\": 0, \"minItems\": 0}")]
    [InlineData("a -> b: list[Tuple]", "{b}        # note: the value you produce must adhere to the JSON schema: {\"type\": \"array\", \"items\": {\"type\": \"array\", \"items\": {}}}")]
    [InlineData("a -> b: Literal[1.5, 'x']", "{b}        # note: the value you produce must exactly match (no extra characters) one of: 1.5; x")]
    public void Output_type_notes_match_dspy(string signature, string expected) => Assert.Equal(expected, Note(signature));

    [Fact]
    public void A_forward_reference_in_an_output_has_no_schema_but_two_step_needs_none()
    {
        var sig = Signature.Parse("a -> b: list['Item']");
        Assert.Throws<InvalidOperationException>(() => new ChatAdapter().Format(sig, [], new Dictionary<string, object?> { ["a"] = "x" }));
        var system = new TwoStepAdapter(new ScriptedLM()).Format(sig, [], new Dictionary<string, object?> { ["a"] = "x" })[0].Text;
        Assert.Contains("1. `b` (list[Item]):", system, StringComparison.Ordinal);
    }

    [Fact]
    public void Integers_beyond_64_bits_render_as_python_ints()
    {
        var sig = Signature.Parse("a: list[int], b: int, c: dict[str, Any] -> d");
        var big = System.Numerics.BigInteger.Parse("12345678901234567890", System.Globalization.CultureInfo.InvariantCulture);
        var inputs = new Dictionary<string, object?>
        {
            ["a"] = new List<object?> { big, 1L },
            ["b"] = big,
            ["c"] = new Dictionary<string, object?> { ["n"] = big },
        };
        var chat = new ChatAdapter().FormatUserMessageContent(sig, inputs);
        Assert.Equal("[[ ## a ## ]]\n[12345678901234567890, 1]\n\n[[ ## b ## ]]\n12345678901234567890\n\n[[ ## c ## ]]\n{\"n\": 12345678901234567890}", chat);
        var twoStep = new TwoStepAdapter(new ScriptedLM()).FormatUserMessageContent(sig, inputs);
        Assert.Equal("a: [12345678901234567890, 1]\n\nb: 12345678901234567890\n\nc: {'n': 12345678901234567890}", twoStep);
    }

    [Fact]
    public void Abstract_collections_validate_their_items() =>
        Assert.Equal(new Dictionary<string, object?> { ["a"] = new List<object?> { 3L }, ["b"] = new Dictionary<string, object?> { ["k"] = 2L } },
            new ChatAdapter().Parse(Signature.Parse("q -> a: Sequence[int], b: Mapping[str, int]"),
                "[[ ## a ## ]]\n['3']\n\n[[ ## b ## ]]\n{'k': '2'}\n\n[[ ## completed ## ]]"));
}
