namespace Dspy.Tests.Modules;

public class InputTypeCheckTests
{
    public static TheoryData<object?, TypeSpec, bool> Cases() => new()
    {
        { "x", TypeSpec.Str, true },
        { new List<object?> { "a", "b" }, TypeSpec.Str, true },
        { new List<object?> { "a", 1L }, TypeSpec.Str, false },
        { 1L, TypeSpec.Str, false },
        { true, TypeSpec.Int, true },
        { 1L, TypeSpec.Float, false },
        { 1.0, TypeSpec.Float, true },
        { 1L, TypeSpec.Optional(TypeSpec.Int), true },
        { new List<object?> { 1L, 2L }, TypeSpec.ListOf(TypeSpec.Int), true },
        { new List<object?> { 1L, "2" }, TypeSpec.ListOf(TypeSpec.Int), false },
        { new Dictionary<string, object?> { ["a"] = 1L }, TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Int), true },
        { new Dictionary<string, object?> { ["a"] = "1" }, TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Int), false },
        { "yes", TypeSpec.LiteralOf("yes", "no"), true },
        { "maybe", TypeSpec.LiteralOf("yes", "no"), false },
        { 42L, TypeSpec.AnyType, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Follows_python_isinstance_rules(object? value, TypeSpec type, bool expected)
    {
        Assert.Equal(expected, InputTypeCheck.IsCompatible(value, type));
    }
}
