namespace Dspy.Tests.Streaming;

/// <summary>
/// The listener's parser on its own: however a response is cut into chunks, the chunks of a field add up to its value,
/// end with exactly one last chunk, and never contain marker text.
/// </summary>
public class FieldStreamParserTests
{
    private const string Chat = "[[ ## reasoning ## ]]\nStep [1] and [[x]] ## ]].\n\n[[ ## answer ## ]]\nThe answer: a [b] c 😀\nline [[ two\n\n[[ ## completed ## ]]";
    private const string Json = "{\"reasoning\": \"He said \\\"answer\\\": b\", \"answer\": \"Line\\nTwo \\\\ \\u00e9 \\ud83d\\ude00 \\\"q\\\"\"}";
    private const string Xml = "<reasoning>\nx &lt; y\n</reasoning>\n<answer>\nTom &amp; Jerry &#233; &lt;/answer\n</answer>";

    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "chat", Chat, "answer", "The answer: a [b] c 😀\nline [[ two" },
        { "chat", Chat, "reasoning", "Step [1] and [[x]] ## ]]." },
        { "json", Json, "answer", "Line\nTwo \\ é 😀 \"q\"" },
        { "json", Json, "reasoning", "He said \"answer\": b" },
        { "xml", Xml, "answer", "Tom & Jerry é </answer" },
        { "xml", Xml, "reasoning", "x < y" },
    };

    private static StreamFormat Format(string name) => name switch
    {
        "chat" => StreamFormat.Chat,
        "json" => StreamFormat.Json,
        _ => StreamFormat.Xml,
    };

    private static List<StreamResponse> Run(StreamFormat format, string field, IEnumerable<string> chunks, bool allowReuse = false)
    {
        var parser = new FieldStreamParser(new StreamListener(field, allowReuse: allowReuse), "p");
        var output = new List<StreamResponse>();
        foreach (var chunk in chunks)
        {
            if (parser.Receive(1, format, "Adapter", chunk) is { } r) output.Add(r);
        }
        if (parser.EndOfResponse(1) is { } last) output.Add(last);
        return output;
    }

    private static void AssertWellFormed(List<StreamResponse> output, string expected, string cut)
    {
        Assert.True(string.Concat(output.Select(o => o.Chunk)) == expected, $"cut {cut}: got {string.Join("|", output.Select(o => o.Chunk))}");
        Assert.Single(output, o => o.IsLastChunk);
        Assert.True(output[^1].IsLastChunk, $"cut {cut}");
        Assert.All(output, o => Assert.DoesNotContain("[[ ## ", o.Chunk, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Any_cut_into_two_or_three_chunks_gives_the_same_value(string format, string completion, string field, string expected)
    {
        var f = Format(format);
        AssertWellFormed(Run(f, field, [completion]), expected, "whole");
        for (var i = 1; i < completion.Length; i++)
        {
            AssertWellFormed(Run(f, field, [completion[..i], completion[i..]]), expected, $"{i}");
            for (var j = i + 1; j < completion.Length; j += 3)
            {
                AssertWellFormed(Run(f, field, [completion[..i], completion[i..j], completion[j..]]), expected, $"{i},{j}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_character_per_chunk_gives_the_same_value(string format, string completion, string field, string expected)
    {
        var output = Run(Format(format), field, completion.Select(c => c.ToString()));

        AssertWellFormed(output, expected, "chars");
        // Text is passed on as it arrives, not saved up until the end.
        Assert.True(output.Count >= 3);
    }

    [Fact]
    public void A_second_response_interleaved_with_the_first_is_ignored_until_the_first_ends()
    {
        var parser = new FieldStreamParser(new StreamListener("answer", allowReuse: true), "p");
        var output = new List<StreamResponse?>
        {
            parser.Receive(1, StreamFormat.Chat, "ChatAdapter", "[[ ## answer ## ]]\none"),
            parser.Receive(2, StreamFormat.Chat, "ChatAdapter", "[[ ## answer ## ]]\ntwo"),
            parser.Receive(1, StreamFormat.Chat, "ChatAdapter", " more\n\n[[ ## completed ## ]]"),
            parser.Receive(2, StreamFormat.Chat, "ChatAdapter", " more\n\n[[ ## completed ## ]]"),
            parser.EndOfResponse(2),
            parser.EndOfResponse(1),
            parser.Receive(3, StreamFormat.Chat, "ChatAdapter", "[[ ## answer ## ]]\nthree\n\n[[ ## completed ## ]]"),
        };

        Assert.Equal(
            [new("p", "answer", "one", false), new("p", "answer", " more", true), new("p", "answer", "three", true)],
            output.OfType<StreamResponse>());
    }

    [Fact]
    public void An_unknown_adapter_format_is_a_clear_error()
    {
        var parser = new FieldStreamParser(new StreamListener("answer"), "p");

        var error = Assert.Throws<NotSupportedException>(() => parser.Receive(1, StreamFormat.Unsupported, "TwoStepAdapter", "text"));
        Assert.Equal("StreamListener(answer) cannot read the output of TwoStepAdapter; stream listeners support ChatAdapter, JsonAdapter and XmlAdapter.",
            error.Message);
    }

    [Theory]
    [InlineData("[", true)]
    [InlineData("[[ #", true)]
    [InlineData("[[ ## ", true)]
    [InlineData("[[ ## answer", true)]
    [InlineData("[[ ## answer ## ]", true)]
    [InlineData("[[ ## answer #", true)]
    [InlineData("[[x", false)]
    [InlineData("[[ ## ans wer", false)]
    [InlineData("[[ ## answer ## ]x", false)]
    [InlineData("[1]", false)]
    public void Chat_marker_prefixes(string text, bool viable) => Assert.Equal(viable, FieldMarkers.IsChatMarkerPrefix(text));

    [Fact]
    public void A_bare_json_value_streams_until_the_next_key()
    {
        var output = Run(StreamFormat.Json, "answer", ["{\"answer\": 4", "2, \"other\": \"x\"}"]);

        Assert.Equal([new("p", "answer", "4", false), new("p", "answer", "2", true)], output);
    }
}
