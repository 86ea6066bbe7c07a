namespace Dspy.Tests.Primitives;

public class ImageTests
{
    [Fact]
    public void Data_uri_repr_hides_base64()
    {
        var image = new Image([1, 2, 3, 4], "image/png");
        Assert.Equal("data:image/png;base64,AQIDBA==", image.Url);
        Assert.Equal("Image(url=data:image/png;base64,<IMAGE_BASE_64_ENCODED(8)>)", PythonRepr.Repr(image));
        Assert.Equal("Image(url='https://example.com/a.jpg')", PythonRepr.Repr(new Image("https://example.com/a.jpg")));
    }

    [Fact]
    public void Local_paths_must_use_from_file()
    {
        Assert.Throws<ArgumentException>(() => new Image("/tmp/cat.png"));
        var path = Path.Combine(Path.GetTempPath(), $"dspy-image-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, [137, 80, 78, 71]);
        try
        {
            var image = Image.FromFile(path);
            Assert.Equal("data:image/png;base64,iVBORw==", image.Url);
            Assert.Equal("image/png", image.MediaType);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Serializes_as_custom_type_marker()
    {
        var marker = AdapterUtils.SerializeForJson(new Image("https://example.com/a.png"));
        Assert.Equal("<<CUSTOM-TYPE-START-IDENTIFIER>>[{\"type\": \"image_url\", \"image_url\": {\"url\": \"https://example.com/a.png\"}}]<<CUSTOM-TYPE-END-IDENTIFIER>>", marker);
        Assert.Equal(new Image("https://example.com/a.png"), Image.Validate(new Dictionary<string, object?> { ["url"] = "https://example.com/a.png" }));
        Assert.Equal(new Image("https://example.com/a.png"), Image.Validate(marker));
        var data = new Image([1, 2], "image/jpeg");
        Assert.Equal(data, Image.Validate(AdapterUtils.SerializeForJson(data)));
    }
}

public class ToolCallsTests
{
    [Fact]
    public void Accepts_every_dspy_shape()
    {
        var wrapped = ToolCalls.Validate(new Dictionary<string, object?>
        {
            ["tool_calls"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "search", ["args"] = new Dictionary<string, object?> { ["query"] = "cats" } } },
        });
        var bare = ToolCalls.Validate(new List<object?> { new Dictionary<string, object?> { ["name"] = "search", ["args"] = new Dictionary<string, object?> { ["query"] = "cats" } } });
        var single = ToolCalls.Validate(new Dictionary<string, object?> { ["name"] = "search", ["args"] = new Dictionary<string, object?> { ["query"] = "cats" } });
        var openAi = ToolCalls.Validate(new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["id"] = "call_9",
                ["function"] = new Dictionary<string, object?> { ["name"] = "search", ["arguments"] = "{'query': 'cats',}" },
            },
        });
        Assert.Equal(wrapped, bare);
        Assert.Equal(wrapped, single);
        Assert.Equal("call_9", openAi.Calls[0].Id);
        Assert.Equal("cats", openAi.Calls[0].Args["query"]);
    }

    [Fact]
    public void Format_leaves_out_ids()
    {
        var calls = ToolCalls.FromDictList([new Dictionary<string, object?> { ["id"] = "x", ["name"] = "search", ["args"] = new Dictionary<string, object?> { ["k"] = 3L } }]);
        Assert.Equal("{\"tool_calls\": [{\"name\": \"search\", \"args\": {\"k\": 3}}]}", PythonJson.Dumps(calls.Format()));
        Assert.Equal("{\"tool_calls\": [{\"name\": \"search\", \"args\": {\"k\": 3}}]}", AdapterUtils.FormatFieldValue(Field.Output("tool_calls", TypeSpec.ToolCallsType), calls));
    }

    [Fact]
    public void Rejects_other_shapes() => Assert.Throws<ArgumentException>(() => ToolCalls.Validate("nope"));
}

public class CodeTests
{
    [Theory]
    [InlineData("```python\nprint('hi')\n```", "print('hi')")]
    [InlineData("```\nx = 1\n```", "x = 1")]
    [InlineData("```x = 2```", "x = 2")]
    [InlineData("plain", "plain")]
    public void Strips_markdown_fences(string text, string expected) => Assert.Equal(expected, new Code(text).CodeText);

    [Fact]
    public void Description_names_the_language() =>
        Assert.Equal("Code represented in a string, specified in the `code` field. If this is an output field, the code field should follow the markdown code block format, e.g. \n```java\n{code}\n```\nProgramming language: java",
            Code.Description("java"));

    [Fact]
    public void Dict_without_code_is_rejected() =>
        Assert.Equal("`code` field is required for `dspy.Code`", Assert.Throws<ArgumentException>(() => Code.Validate(new Dictionary<string, object?>())).Message);
}

public class HistoryTests
{
    [Fact]
    public void Validates_messages_dict_and_forbids_extra_keys()
    {
        var history = History.Validate(new Dictionary<string, object?>
        {
            ["messages"] = new List<object?> { new Dictionary<string, object?> { ["question"] = "q", ["answer"] = "a" } },
        });
        Assert.Equal("q", history.Messages[0]["question"]);
        Assert.Throws<ArgumentException>(() => History.Validate(new Dictionary<string, object?> { ["messages"] = new List<object?>(), ["extra"] = 1L }));
        Assert.Equal("History(messages=[{'question': 'q', 'answer': 'a'}])", PythonRepr.Repr(history));
        Assert.Equal("{\"messages\": [{\"question\": \"q\", \"answer\": \"a\"}]}", PythonJson.Dumps(history));
    }
}
