using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Dspy.McpTestServer;

/// <summary>The tools this server offers: arithmetic, a glossary lookup that fails on unknown terms, and a multi-part answer.</summary>
[McpServerToolType]
internal sealed class TestTools
{
    private static readonly Dictionary<string, string> Glossary = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dspy"] = "DSPy is a framework for programming, rather than prompting, language models.",
        ["mcp"] = "The Model Context Protocol connects language model applications to tools and data.",
    };

    [McpServerTool(Name = "add"), Description("Adds two integers and returns their sum.")]
    public static long Add([Description("The first addend.")] long a, [Description("The second addend.")] long b) => a + b;

    [McpServerTool(Name = "lookup"), Description("Looks up a term in the glossary.")]
    public static string Lookup([Description("The term to look up.")] string term)
        => Glossary.TryGetValue(term, out var definition)
            ? definition
            // An McpException's message reaches the client in the error result.
            : throw new McpException($"Unknown term '{term}'. Known terms: {string.Join(", ", Glossary.Keys)}.");

    [McpServerTool(Name = "split_words"), Description("Returns each word of the text as its own text content.")]
    public static IEnumerable<ContentBlock> SplitWords(string text, int limit = 10)
        => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(limit).Select(w => (ContentBlock)new TextContentBlock { Text = w });
}
