namespace Dspy.Tests.Signatures;

public class SignatureManipulationTests
{
    private static readonly Signature Base = Signature.Parse("a, b -> c", "Do it.");

    [Fact]
    public void WithInstructions_returns_a_new_signature()
    {
        var updated = Base.WithInstructions("New.");
        Assert.NotSame(Base, updated);
        Assert.Equal("New.", updated.Instructions);
        Assert.Equal("Do it.", Base.Instructions);
        Assert.Equal(Base.Fields, updated.Fields);
    }

    [Fact]
    public void AppendInstructions_joins_with_a_blank_line_and_chains()
    {
        var updated = Base.AppendInstructions("More.").AppendInstructions("Even more.");
        Assert.Equal("Do it.\n\nMore.\n\nEven more.", updated.Instructions);
    }

    [Fact]
    public void Derived_signatures_are_named_StringSignature_like_dspy()
    {
        var typed = Signature.FromType<NoDoc>();
        Assert.Equal("NoDoc", typed.Name);
        Assert.Equal(Signature.DefaultName, typed.WithInstructions("x").Name);
        Assert.Equal(Signature.DefaultName, typed.Delete("q").Name);
    }

    [Fact]
    public void WithUpdatedField_changes_only_the_named_field()
    {
        var updated = Base.WithUpdatedField("b", desc: "the b", prefix: "B!:");
        Assert.Equal("the b", updated["b"]!.Description);
        Assert.Equal("B!:", updated["b"]!.Prefix);
        Assert.Equal(Base["a"], updated["a"]);
        Assert.Equal("${b}", Base["b"]!.Description);
        Assert.Equal("Do it.", updated.Instructions);

        var retyped = Base.WithUpdatedField("c", type: TypeSpec.Int);
        Assert.Equal(TypeSpec.Int, retyped["c"]!.Type);
        Assert.Equal("${c}", retyped["c"]!.Description);
        Assert.Throws<KeyNotFoundException>(() => Base.WithUpdatedField("zzz", desc: "x"));
    }

    [Fact]
    public void Prepend_append_and_insert_place_fields_in_their_section()
    {
        Assert.Equal(["x", "a", "b", "c"], Base.Prepend(Field.Input("x")).Fields.Select(f => f.Name));
        Assert.Equal(["a", "b", "x", "c"], Base.Append(Field.Input("x")).Fields.Select(f => f.Name));
        Assert.Equal(["a", "b", "x", "c"], Base.Prepend(Field.Output("x")).Fields.Select(f => f.Name));
        Assert.Equal(["a", "b", "c", "x"], Base.Append(Field.Output("x")).Fields.Select(f => f.Name));
        Assert.Equal(["a", "x", "b", "c"], Base.Insert(1, Field.Input("x")).Fields.Select(f => f.Name));
        // A negative index i means i + count + 1: -2 with two inputs is position 1.
        Assert.Equal(["a", "x", "b", "c"], Base.Insert(-2, Field.Input("x")).Fields.Select(f => f.Name));
        Assert.Equal(["x", "a", "b", "c"], Base.Insert(-3, Field.Input("x")).Fields.Select(f => f.Name));
        Assert.Equal(["a", "b", "c"], Base.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Insert_out_of_range_uses_dspy_message()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Base.Insert(3, Field.Input("x")));
        Assert.Equal("Invalid index to insert: 3, index must be in the range of [1, 2] for input fields, but received: 3.", ex.Message);
        var neg = Assert.Throws<ArgumentOutOfRangeException>(() => Base.Insert(-4, Field.Output("x")));
        Assert.Equal("Invalid index to insert: -2, index must be in the range of [0, 1] for output fields, but received: -2.", neg.Message);
    }

    [Fact]
    public void Insert_of_an_existing_name_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Base.Append(Field.Output("a")));
    }

    [Fact]
    public void Delete_removes_a_field_and_ignores_missing_ones()
    {
        Assert.Equal(["b", "c"], Base.Delete("a").Fields.Select(f => f.Name));
        var unchanged = Base.Delete("nope");
        Assert.Equal(["a", "b", "c"], unchanged.Fields.Select(f => f.Name));
        Assert.Equal(Base.Instructions, unchanged.Instructions);
    }

    [Fact]
    public void StructurallyEquals_compares_instructions_names_and_metadata_not_types_or_order()
    {
        var one = Signature.Parse("a, b -> c", "Do it.");
        Assert.True(Base.StructurallyEquals(one));
        Assert.False(Base.Equals(one)); // reference equality, as distinct DSPy classes are distinct objects
        Assert.True(Base.StructurallyEquals(Base.WithUpdatedField("c", type: TypeSpec.Int)));
        Assert.True(Base.StructurallyEquals(Signature.Parse("b, a -> c", "Do it.")));
        Assert.False(Base.StructurallyEquals(Base.WithInstructions("Other.")));
        Assert.False(Base.StructurallyEquals(Base.WithUpdatedField("a", desc: "changed")));
        Assert.False(Base.StructurallyEquals(Base.WithUpdatedField("a", prefix: "A!:")));
        Assert.False(Base.StructurallyEquals(Base.Delete("b")));
        Assert.False(Base.StructurallyEquals(Signature.Parse("a, b -> d", "Do it.")));
        // An input given a type in the string is not the same as an untyped one (IS_TYPE_UNDEFINED differs).
        Assert.False(Base.StructurallyEquals(Signature.Parse("a: str, b -> c", "Do it.")));
        Assert.False(Base.StructurallyEquals(null));
    }

    [Fact]
    public void ToString_shows_name_signature_and_instructions()
    {
        Assert.Equal("StringSignature(a, b -> c\n    instructions=Do it.\n)", Base.ToString());
    }
}
