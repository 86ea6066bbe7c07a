using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Dspy.Tests.Signatures;

public enum Sentiment
{
    Positive,
    [JsonStringEnumMemberName("neg")]
    Negative,
}

public sealed record Citation(string Source, int Page);

[Instructions("""

        Classify the text.
            Keep nested indentation.

        """)]
public sealed record Classify(
    [InputField(Desc = "The text to classify")] string Text,
    [InputField] List<string> Tags,
    [OutputField(Prefix = "Mood:")] Sentiment Sentiment,
    [OutputField] Dictionary<string, double> Scores,
    [OutputField] Citation? Citation,
    [OutputField] int? Count,
    [OutputField] (int, string) Pair,
    [OutputField] HashSet<long> Ids,
    [OutputField] string? Note,
    [OutputField] IReadOnlyList<Citation?> Refs);

[Description("Answer questions.")]
public sealed class QaClass
{
    [InputField(Desc = "a question")]
    public string QuestionText { get; set; } = "";

    [OutputField]
    [Range(0, 10)]
    public int Score { get; set; }

    [OutputField]
    [Constraint(Gt = 0.5, Le = 3)]
    public double Confidence { get; set; }

    [OutputField]
    [MinLength(2)]
    [MaxLength(5)]
    public List<string> Words { get; set; } = [];

    [OutputField]
    [StringLength(10, MinimumLength = 1)]
    public string? Comment { get; set; }

    [OutputField(Default = "n/a")]
    public string Rationale { get; set; } = "";
}

public sealed record WithDefaults(
    [InputField] string Q,
    [OutputField] string A,
    [OutputField] int Tries = 3,
    [OutputField, DefaultValue("x")] string? Extra = null);

public record BaseSig
{
    [InputField]
    public string Question { get; init; } = "";
}

public sealed record DerivedSig : BaseSig
{
    [OutputField]
    public string Answer { get; init; } = "";
}

public sealed class MissingAttribute
{
    [InputField]
    public string Q { get; set; } = "";

    public string Stray { get; set; } = "";
}

public sealed record NoDoc([InputField] string Q, [OutputField] string A);

public class SignatureFromTypeTests
{
    [Fact]
    public void Record_signature_maps_names_types_and_metadata()
    {
        var sig = Signature.FromType<Classify>();
        Assert.Equal("Classify", sig.Name);
        Assert.Equal(["text", "tags"], sig.InputFields.Select(f => f.Name));
        Assert.Equal(["sentiment", "scores", "citation", "count", "pair", "ids", "note", "refs"], sig.OutputFields.Select(f => f.Name));
        Assert.Equal("The text to classify", sig["text"]!.Description);
        Assert.Equal("Text:", sig["text"]!.Prefix);
        Assert.Equal("${tags}", sig["tags"]!.Description);
        Assert.Equal("Mood:", sig["sentiment"]!.Prefix);

        Assert.Equal("list[str]", sig["tags"]!.Type.PythonName);
        Assert.Equal(TypeSpec.EnumOf(typeof(Sentiment)), sig["sentiment"]!.Type);
        Assert.Equal("dict[str, float]", sig["scores"]!.Type.PythonName);
        Assert.Equal("Union[Citation, NoneType]", sig["citation"]!.Type.PythonName);
        Assert.Equal("Union[int, NoneType]", sig["count"]!.Type.PythonName);
        Assert.Equal("tuple[int, str]", sig["pair"]!.Type.PythonName);
        Assert.Equal("set[int]", sig["ids"]!.Type.PythonName);
        Assert.Equal("Union[str, NoneType]", sig["note"]!.Type.PythonName);
        Assert.Equal("list[Union[Citation, NoneType]]", sig["refs"]!.Type.PythonName);
        Assert.False(sig["text"]!.IsTypeUndefined);
    }

    [Fact]
    public void Instructions_are_cleaned_like_inspect_cleandoc()
    {
        var sig = Signature.FromType<Classify>();
        Assert.Equal("Classify the text.\n    Keep nested indentation.", sig.Instructions);
        Assert.Equal("Answer questions.", Signature.FromType<QaClass>().Instructions);
        Assert.Equal("Given the fields `q`, produce the fields `a`.", Signature.FromType<NoDoc>().Instructions);
    }

    [Fact]
    public void Class_properties_get_snake_case_names_constraints_and_defaults()
    {
        Type type = typeof(QaClass);
        var sig = Signature.FromType(type);
        Assert.Equal(["question_text", "score", "confidence", "words", "comment", "rationale"], sig.Fields.Select(f => f.Name));
        Assert.Equal("Question Text:", sig["question_text"]!.Prefix);
        Assert.Equal("greater than or equal to: 0, less than or equal to: 10", sig["score"]!.Constraints);
        Assert.Equal("greater than: 0.5, less than or equal to: 3", sig["confidence"]!.Constraints);
        Assert.Equal("minimum length: 2, maximum length: 5", sig["words"]!.Constraints);
        Assert.Equal("minimum length: 1, maximum length: 10", sig["comment"]!.Constraints);
        Assert.Null(sig["question_text"]!.Constraints);

        Assert.True(sig["rationale"]!.HasDefault);
        Assert.Equal("n/a", sig["rationale"]!.DefaultValue);
        // A property initializer that differs from default(T) is a default too.
        Assert.True(sig["words"]!.HasDefault);
        Assert.Equal(new List<object?>(), sig["words"]!.DefaultValue);
        Assert.False(sig["score"]!.HasDefault);
        Assert.False(sig["comment"]!.HasDefault);
    }

    [Fact]
    public void Positional_defaults_and_DefaultValue_make_outputs_optional()
    {
        var sig = Signature.FromType<WithDefaults>();
        Assert.False(sig["a"]!.HasDefault);
        Assert.True(sig["tries"]!.HasDefault);
        Assert.Equal(3L, sig["tries"]!.DefaultValue);
        Assert.True(sig["extra"]!.HasDefault);
        Assert.Equal("x", sig["extra"]!.DefaultValue);
    }

    [Fact]
    public void Base_type_fields_come_first()
    {
        var sig = Signature.FromType<DerivedSig>();
        Assert.Equal(["question", "answer"], sig.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Every_public_property_must_be_a_field()
    {
        var ex = Assert.Throws<ArgumentException>(() => Signature.FromType<MissingAttribute>());
        Assert.Contains("Field `stray` in `MissingAttribute` must be declared with InputField or OutputField", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromType_is_cached_and_ensure_signature_accepts_types()
    {
        Type type = typeof(NoDoc);
        Assert.Same(Signature.FromType<NoDoc>(), Signature.FromType(type));
        Assert.Same(Signature.FromType<NoDoc>(), Signature.EnsureSignature(typeof(NoDoc)));
    }

    [Theory]
    [InlineData(typeof(string), "str")]
    [InlineData(typeof(bool), "bool")]
    [InlineData(typeof(long), "int")]
    [InlineData(typeof(short), "int")]
    [InlineData(typeof(decimal), "float")]
    [InlineData(typeof(float), "float")]
    [InlineData(typeof(int[]), "list[int]")]
    [InlineData(typeof(IEnumerable<string>), "list[str]")]
    [InlineData(typeof(IList<bool>), "list[bool]")]
    [InlineData(typeof(ISet<string>), "set[str]")]
    [InlineData(typeof(IReadOnlyDictionary<string, List<int>>), "dict[str, list[int]]")]
    [InlineData(typeof(object), "Any")]
    [InlineData(typeof(System.Text.Json.JsonElement), "Any")]
    [InlineData(typeof(double?), "Union[float, NoneType]")]
    [InlineData(typeof(Citation), "Citation")]
    [InlineData(typeof(ValueTuple<int, string, bool>), "tuple[int, str, bool]")]
    [InlineData(typeof(Tool), "Tool")]
    [InlineData(typeof(List<Tool>), "list[Tool]")]
    [InlineData(typeof(DateTime), "datetime")]
    public void Clr_types_map_to_python_annotations(Type type, string expected) =>
        Assert.Equal(expected, TypeSpecs.FromClrType(type).PythonName);

    [Fact]
    public void Enums_and_records_keep_their_clr_types()
    {
        var e = TypeSpecs.FromClrType(typeof(Sentiment));
        Assert.Equal(TypeKind.Enum, e.Kind);
        Assert.Equal(typeof(Sentiment), e.ClrType);
        var o = TypeSpecs.FromClrType(typeof(Citation));
        Assert.Equal(TypeKind.Object, o.Kind);
        Assert.Equal(typeof(Citation), o.ClrType);
    }
}
