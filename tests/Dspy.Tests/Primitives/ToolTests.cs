using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using static Dspy.Tests.Primitives.ToolTestTypes;

namespace Dspy.Tests.Primitives;

/// <summary>Types used by the tool tests, nested so that their simple names cannot clash with other tests in this namespace.</summary>
public static class ToolTestTypes
{
    public enum Color
    {
        Red,
        Green,
    }

    public sealed record Address(string City, int Zip);

    public sealed record Order(string OrderId, Address ShipTo, List<string> Lines, Color? Color);

    public static class SampleTools
    {
        [Description("Adds two numbers.\nReturns their sum.")]
        public static int Add(int x, int y = 2) => x + y;

        public static string Greet(string name, string greeting = "hello") => $"{greeting}, {name}";

        [Description("Searches the web.")]
        public static async Task<string> SearchAsync(string query, int k = 3, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return $"{query}:{k}";
        }

        public static ValueTask<long> CountAsync(List<int> values) => ValueTask.FromResult((long)values.Sum());

        public static string Ship(Address address, Color color) => $"{address.City}/{address.Zip}/{color}";

        public static string Maybe(double? factor = null) => factor is null ? "none" : factor.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public static Task Nothing() => Task.CompletedTask;

        public static int Route(List<Address> stops, Order order) => stops.Count + order.Lines.Count;

        public static string Flags(bool verbose, string[] names) => $"{verbose}:{string.Join("|", names)}";
    }
}

public class ToolTests
{
    private static Tool AddTool => new(SampleTools.Add);

    [Fact]
    public void Infers_name_description_and_argument_schemas()
    {
        var tool = AddTool;
        Assert.Equal("Add", tool.Name);
        Assert.Equal("Adds two numbers.\nReturns their sum.", tool.Desc);
        Assert.Equal("{'x': {'type': 'integer'}, 'y': {'type': 'integer', 'default': 2}}", PythonRepr.Repr(tool.Args));
        Assert.Equal(typeof(int), tool.ArgTypes["x"]);
    }

    [Fact]
    public void ToString_matches_dspy_format()
    {
        Assert.Equal(
            "Add, whose description is <desc>Adds two numbers.  Returns their sum.</desc>. It takes arguments " +
            "{'x': {'type': 'integer'}, 'y': {'type': 'integer', 'default': 2}}.",
            AddTool.ToString());
        var greet = new Tool(SampleTools.Greet);
        Assert.Equal(
            "Greet. It takes arguments {'name': {'type': 'string'}, 'greeting': {'type': 'string', 'default': 'hello'}}.",
            greet.ToString());
        Assert.Equal(greet.ToString(), greet.Format());
    }

    [Fact]
    public void Cancellation_tokens_are_not_arguments()
    {
        var tool = new Tool(SampleTools.SearchAsync);
        Assert.Equal(["query", "k"], tool.Args.Keys);
    }

    [Fact]
    public void Schemas_for_collections_records_enums_and_nullables()
    {
        Assert.Equal("{'values': {'items': {'type': 'integer'}, 'type': 'array'}}", PythonRepr.Repr(new Tool(SampleTools.CountAsync).Args));
        var ship = new Tool(SampleTools.Ship).Args;
        // pydantic's shape: sorted keys, model and enum titles, title-cased property titles.
        Assert.Equal(
            "{'properties': {'city': {'title': 'City', 'type': 'string'}, 'zip': {'title': 'Zip', 'type': 'integer'}}, " +
            "'required': ['city', 'zip'], 'title': 'Address', 'type': 'object'}",
            PythonRepr.Repr(ship["address"]));
        Assert.Equal("{'enum': ['Red', 'Green'], 'title': 'Color', 'type': 'string'}", PythonRepr.Repr(ship["color"]));
        Assert.Equal("{'factor': {'anyOf': [{'type': 'number'}, {'type': 'null'}], 'default': None}}", PythonRepr.Repr(new Tool(SampleTools.Maybe).Args));
    }

    [Fact]
    public void Nested_models_and_lists_of_models_get_pydantic_titles()
    {
        var args = new Tool(SampleTools.Route).Args;
        var stops = PythonRepr.Repr(args["stops"]);
        Assert.StartsWith("{'items': {'properties': {'city': {'title': 'City', 'type': 'string'}", stops, StringComparison.Ordinal);
        Assert.EndsWith("'title': 'Address', 'type': 'object'}, 'type': 'array'}", stops, StringComparison.Ordinal);
        var order = Assert.IsType<Dictionary<string, object?>>(args["order"]);
        var props = Assert.IsType<Dictionary<string, object?>>(order["properties"]);
        Assert.Equal(["order_id", "ship_to", "lines", "color"], props.Keys);
        Assert.Equal("{'title': 'Order Id', 'type': 'string'}", PythonRepr.Repr(props["order_id"]));
        Assert.Equal("Address", Assert.IsType<Dictionary<string, object?>>(props["ship_to"])["title"]);
        Assert.Equal("{'items': {'type': 'string'}, 'title': 'Lines', 'type': 'array'}", PythonRepr.Repr(props["lines"]));
        Assert.Equal("Order", order["title"]);
    }

    [Theory]
    [InlineData("zip_code", "Zip Code")]
    [InlineData("abc1def", "Abc1Def")]
    [InlineData("URL", "Url")]
    public void Pydantic_titles_follow_python_str_title(string name, string expected) =>
        Assert.Equal(expected, ToolSchemaTitles.PythonTitle(name));

    [Fact]
    public void Arg_descriptions_are_appended_after_defaults()
    {
        var tool = new Tool(SampleTools.Add, argDesc: new Dictionary<string, string> { ["y"] = "second number" });
        Assert.Equal("{'type': 'integer', 'default': 2, 'description': 'second number'}", PythonRepr.Repr(tool.Args["y"]));
    }

    [Fact]
    public void Explicit_name_desc_and_args_override_inference()
    {
        var args = new Dictionary<string, object?> { ["x"] = new Dictionary<string, object?> { ["type"] = "integer" } };
        var tool = new Tool(SampleTools.Add, name: "plus", desc: "custom", args: args);
        Assert.Equal("plus", tool.Name);
        Assert.Equal("custom", tool.Desc);
        Assert.Equal(["x"], tool.Args.Keys);
    }

    [Fact]
    public void Lambdas_need_a_name()
    {
        Func<int, int> twice = v => v * 2;
        Assert.Throws<ArgumentException>(() => new Tool(twice));
        var named = new Tool(twice, name: "twice");
        Assert.Equal("twice", named.Name);
        Assert.Null(named.Desc);
    }

    [Fact]
    public void FormatAsFunctionCall_lists_required_args_without_defaults()
    {
        var call = AddTool.FormatAsFunctionCall();
        Assert.Equal(
            "{\"type\": \"function\", \"function\": {\"name\": \"Add\", \"description\": \"Adds two numbers.\\nReturns their sum.\", " +
            "\"parameters\": {\"type\": \"object\", \"properties\": {\"x\": {\"type\": \"integer\"}, \"y\": {\"type\": \"integer\", \"default\": 2}}, " +
            "\"required\": [\"x\"]}}}",
            PythonJson.Dumps(call));
    }

    [Fact]
    public async Task Calls_sync_and_async_functions_with_coerced_arguments()
    {
        Assert.Equal(5, await AddTool.CallAsync(new Dictionary<string, object?> { ["x"] = 3L }));
        Assert.Equal(7, await AddTool.CallAsync(new Dictionary<string, object?> { ["x"] = 3L, ["y"] = 4L }));
        Assert.Equal("cats:3", await new Tool(SampleTools.SearchAsync).CallAsync(new Dictionary<string, object?> { ["query"] = "cats" }));
        Assert.Equal(6L, await new Tool(SampleTools.CountAsync).CallAsync(
            new Dictionary<string, object?> { ["values"] = new List<object?> { 1L, 2L, 3L } }));
        Assert.Null(await new Tool(SampleTools.Nothing).CallAsync(new Dictionary<string, object?>()));
        Assert.Equal("True:a|b", await new Tool(SampleTools.Flags).CallAsync(
            new Dictionary<string, object?> { ["verbose"] = true, ["names"] = new List<object?> { "a", "b" } }));
    }

    [Fact]
    public void Call_runs_sync_tools_and_refuses_async_ones()
    {
        Assert.Equal(5, AddTool.Call(new Dictionary<string, object?> { ["x"] = 3L }));
        Assert.False(AddTool.IsAsync);
        var search = new Tool(SampleTools.SearchAsync);
        Assert.True(search.IsAsync);
        Assert.True(new Tool(SampleTools.CountAsync).IsAsync);
        Assert.Throws<InvalidOperationException>(() => search.Call(new Dictionary<string, object?> { ["query"] = "q" }));
        Assert.Throws<ArgumentException>(() => AddTool.Call(new Dictionary<string, object?> { ["nope"] = 1L }));
    }

    [Fact]
    public async Task Nested_records_and_enums_bind_from_the_value_model()
    {
        var ship = new Tool(SampleTools.Ship);
        var result = await ship.CallAsync(new Dictionary<string, object?>
        {
            ["address"] = new Dictionary<string, object?> { ["city"] = "Oslo", ["zip"] = 150L },
            ["color"] = "Green",
        });
        Assert.Equal("Oslo/150/Green", result);
    }

    [Fact]
    public async Task Unknown_arguments_are_rejected_with_dspy_message()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AddTool.CallAsync(new Dictionary<string, object?> { ["x"] = 1L, ["z"] = 2L }));
        Assert.Equal("Arg z is not in the tool's args.", ex.Message);
    }

    [Fact]
    public async Task Values_are_validated_against_their_schemas()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AddTool.CallAsync(new Dictionary<string, object?> { ["x"] = "three" }));
        Assert.Equal("Arg x is invalid: 'three' is not of type 'integer'", ex.Message);

        var boolAsInt = await Assert.ThrowsAsync<ArgumentException>(() => AddTool.CallAsync(new Dictionary<string, object?> { ["x"] = true }));
        Assert.Equal("Arg x is invalid: True is not of type 'integer'", boolAsInt.Message);

        var ship = new Tool(SampleTools.Ship);
        var badEnum = await Assert.ThrowsAsync<ArgumentException>(() => ship.CallAsync(new Dictionary<string, object?>
        {
            ["address"] = new Dictionary<string, object?> { ["city"] = "Oslo", ["zip"] = 1L },
            ["color"] = "Blue",
        }));
        Assert.Equal("Arg color is invalid: 'Blue' is not one of ['Red', 'Green']", badEnum.Message);

        var badItem = await Assert.ThrowsAsync<ArgumentException>(() => new Tool(SampleTools.CountAsync).CallAsync(
            new Dictionary<string, object?> { ["values"] = new List<object?> { 1L, "x" } }));
        Assert.Equal("Arg values is invalid: 'x' is not of type 'integer'", badItem.Message);

        var badNested = await Assert.ThrowsAsync<ArgumentException>(() => ship.CallAsync(new Dictionary<string, object?>
        {
            ["address"] = new Dictionary<string, object?> { ["city"] = 5L, ["zip"] = 1L },
            ["color"] = "Red",
        }));
        Assert.Equal("Arg address is invalid: 5 is not of type 'string'", badNested.Message);
    }

    [Fact]
    public async Task Integral_floats_count_as_integers_and_missing_required_args_fail()
    {
        Assert.Equal(4, await AddTool.CallAsync(new Dictionary<string, object?> { ["x"] = 2.0 }));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AddTool.CallAsync(new Dictionary<string, object?>()));
        Assert.Equal("Add() missing 1 required positional argument: 'x'", ex.Message);
    }

    [Fact]
    public async Task Tool_exceptions_propagate_unwrapped()
    {
        Func<int, int> fails = value => throw new InvalidOperationException("boom " + value);
        var tool = new Tool(fails, name: "fails");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => tool.CallAsync(new Dictionary<string, object?> { ["value"] = 1L }));
        Assert.Equal("boom 1", ex.Message);
    }

    [Fact]
    public async Task Cancellation_reaches_the_function()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var tool = new Tool(SampleTools.SearchAsync);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tool.CallAsync(new Dictionary<string, object?> { ["query"] = "q" }, cts.Token));
    }

    [Fact]
    public async Task AsAIFunction_exposes_schema_and_invokes_the_tool()
    {
        var fn = AddTool.AsAIFunction();
        Assert.Equal("Add", fn.Name);
        Assert.Equal("Adds two numbers.\nReturns their sum.", fn.Description);
        Assert.Equal("""{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer","default":2}},"required":["x"]}""",
            fn.JsonSchema.GetRawText());
        using var doc = JsonDocument.Parse("""{"x": 5}""");
        var result = await fn.InvokeAsync(new AIFunctionArguments { ["x"] = doc.RootElement.GetProperty("x") });
        Assert.Equal(7, result);
    }

    [Fact]
    public async Task Wraps_an_AIFunction()
    {
        var fn = AIFunctionFactory.Create((int a, int b) => a * b, "multiply", "Multiplies.");
        var tool = new Tool(fn);
        Assert.Equal("multiply", tool.Name);
        Assert.Equal("Multiplies.", tool.Desc);
        Assert.Equal("{'a': {'type': 'integer'}, 'b': {'type': 'integer'}}", PythonRepr.Repr(tool.Args));
        var result = await tool.CallAsync(new Dictionary<string, object?> { ["a"] = 6L, ["b"] = 7L });
        Assert.Equal(42L, result);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => tool.CallAsync(new Dictionary<string, object?> { ["a"] = "x", ["b"] = 1L }));
        Assert.Equal("Arg a is invalid: 'x' is not of type 'integer'", ex.Message);
    }

    [Fact]
    public void Repr_matches_dspy()
    {
        var tool = new Tool(SampleTools.Greet);
        Assert.Equal("Tool(name=Greet, desc=None, args={'name': {'type': 'string'}, 'greeting': {'type': 'string', 'default': 'hello'}})",
            PythonRepr.Repr(tool));
    }
}
