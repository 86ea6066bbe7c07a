using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Dspy.Tests.Values;

public enum Priority
{
    Low,
    High,
}

public sealed record Item(string Name, [property: Range(0, 10)] int Quantity, Priority Priority, string? Note, Dictionary<string, int> Counts,
    [property: Description("Postal code")][property: MinLength(3)] string PostalCode = "000", List<string>? Tags = null);

public sealed record Order(List<Item> Items, Item? Primary);

public class PydanticJsonSchemaTests
{
    private static string Prompt(TypeSpec t) => AdapterUtils.JsonSchemaText(t);

    [Fact]
    public void Non_object_annotations()
    {
        Assert.Equal("{\"type\": \"array\", \"items\": {\"type\": \"string\"}}", Prompt(TypeSpec.ListOf(TypeSpec.Str)));
        Assert.Equal("{\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\"}}", Prompt(TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Int)));
        Assert.Equal("{\"type\": \"object\", \"additionalProperties\": true}", Prompt(TypeSpec.DictOf(TypeSpec.Str, TypeSpec.AnyType)));
        Assert.Equal("{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"null\"}]}", Prompt(TypeSpec.Optional(TypeSpec.Int)));
        Assert.Equal("{\"type\": \"array\", \"maxItems\": 2, \"minItems\": 2, \"prefixItems\": [{\"type\": \"integer\"}, {\"type\": \"string\"}]}",
            Prompt(TypeSpec.TupleOf(TypeSpec.Int, TypeSpec.Str)));
        Assert.Equal("{}", Prompt(TypeSpec.AnyType));
        Assert.Equal("{\"type\": \"array\", \"items\": {\"type\": \"string\", \"enum\": [\"a\", \"b\"]}}", Prompt(TypeSpec.ListOf(TypeSpec.LiteralOf("a", "b"))));
    }

    [Fact]
    public void More_annotations_match_pydantic()
    {
        Assert.Equal("{\"type\": \"object\", \"additionalProperties\": true}", Prompt(TypeSpec.BareDict));
        Assert.Equal("{\"type\": \"array\", \"items\": {}}", Prompt(TypeSpec.BareList));
        Assert.Equal("{\"type\": \"array\", \"items\": {}}", Prompt(TypeSpec.TupleOf()));
        Assert.Equal("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"uniqueItems\": true}", Prompt(TypeSpec.SetOf(TypeSpec.Int)));
        Assert.Equal("{\"type\": \"string\", \"const\": \"x\"}", Prompt(TypeSpec.LiteralOf("x")));
        Assert.Equal("{\"enum\": [1, \"a\"]}", Prompt(TypeSpec.LiteralOf(1L, "a")));
        Assert.Equal("{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": \"string\"}]}", Prompt(TypeSpec.UnionOf([TypeSpec.Int, TypeSpec.Str])));
        Assert.Equal("{\"$defs\": {\"Priority\": {\"type\": \"string\", \"enum\": [\"Low\", \"High\"], \"title\": \"Priority\"}}, \"anyOf\": [{\"$ref\": \"#/$defs/Priority\"}, {\"type\": \"null\"}]}",
            Prompt(TypeSpec.Optional(TypeSpec.EnumOf(typeof(Priority)))));
        Assert.Equal("{\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}}", Prompt(TypeSpec.DictOf(TypeSpec.Int, TypeSpec.Str)));
        Assert.Equal("{\"type\": \"string\", \"format\": \"binary\"}", Prompt(TypeSpec.Named("bytes")));
    }

    [Fact]
    public void Record_with_enum_optional_dict_constraints_and_defaults_in_pydantic_order()
    {
        var schema = PydanticJsonSchema.Generate(typeof(Item));
        Assert.Equal(
            "{\"$defs\": {\"Priority\": {\"enum\": [\"Low\", \"High\"], \"title\": \"Priority\", \"type\": \"string\"}}, "
            + "\"properties\": {\"name\": {\"title\": \"Name\", \"type\": \"string\"}, "
            + "\"quantity\": {\"maximum\": 10, \"minimum\": 0, \"title\": \"Quantity\", \"type\": \"integer\"}, "
            + "\"priority\": {\"$ref\": \"#/$defs/Priority\"}, "
            + "\"note\": {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}], \"title\": \"Note\"}, "
            + "\"counts\": {\"additionalProperties\": {\"type\": \"integer\"}, \"title\": \"Counts\", \"type\": \"object\"}, "
            + "\"postal_code\": {\"default\": \"000\", \"description\": \"Postal code\", \"minLength\": 3, \"title\": \"Postal Code\", \"type\": \"string\"}, "
            + "\"tags\": {\"anyOf\": [{\"items\": {\"type\": \"string\"}, \"type\": \"array\"}, {\"type\": \"null\"}], \"default\": null, \"title\": \"Tags\"}}, "
            + "\"required\": [\"name\", \"quantity\", \"priority\", \"note\", \"counts\"], \"title\": \"Item\", \"type\": \"object\"}",
            PythonJson.Dumps(schema));
    }

    [Fact]
    public void Lists_of_records_and_optional_records_reference_defs()
    {
        var text = Prompt(TypeSpec.ObjectOf(typeof(Order)));
        Assert.StartsWith("{\"type\": \"object\", \"$defs\": {\"Item\": {\"type\": \"object\", \"properties\": {", text, StringComparison.Ordinal);
        Assert.Contains("\"Priority\": {\"type\": \"string\", \"enum\": [\"Low\", \"High\"], \"title\": \"Priority\"}", text, StringComparison.Ordinal);
        Assert.EndsWith(
            "\"properties\": {\"items\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/Item\"}, \"title\": \"Items\"}, "
            + "\"primary\": {\"anyOf\": [{\"$ref\": \"#/$defs/Item\"}, {\"type\": \"null\"}]}}, \"required\": [\"items\", \"primary\"], \"title\": \"Order\"}",
            text, StringComparison.Ordinal);
    }

    [Fact]
    public void Recursive_models_are_referenced_from_the_top() =>
        Assert.Equal(
            "{\"$defs\": {\"TreeNode\": {\"properties\": {\"label\": {\"title\": \"Label\", \"type\": \"string\"}, \"children\": {\"items\": {\"$ref\": \"#/$defs/TreeNode\"}, \"title\": \"Children\", \"type\": \"array\"}}, "
            + "\"required\": [\"label\", \"children\"], \"title\": \"TreeNode\", \"type\": \"object\"}}, \"$ref\": \"#/$defs/TreeNode\"}",
            PythonJson.Dumps(PydanticJsonSchema.Generate(typeof(Dspy.Tests.Adapters.TreeNode))));
}
