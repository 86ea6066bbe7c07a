using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using McpProtocolTool = ModelContextProtocol.Protocol.Tool;

namespace Dspy;

/// <summary>
/// Turns the tools of an MCP server into DSPy <see cref="Tool"/>s (DSPy's <c>Tool.from_mcp_tool(session, tool)</c> /
/// <c>convert_mcp_tool</c>), for <see cref="ReAct"/> or native tool calling:
/// <code>
/// await using var client = await McpClient.CreateAsync(new StdioClientTransport(new() { Command = "my-server" }));
/// var tools = await McpTools.ListAsync(client);
/// var agent = new ReAct(Signature.Parse("question -> answer"), tools);
/// </code>
/// Each tool keeps the server's name and description; its <see cref="Tool.Args"/> are the properties of the server's input
/// schema (<c>$ref</c>s to <c>$defs</c> inlined), so ReAct's prompt and the native tool schema show the same arguments,
/// and arguments are checked against them before the call. A call forwards to <c>tools/call</c>; see
/// <see cref="ConvertResult"/> for the value it returns. The tools are asynchronous: call them with
/// <see cref="Tool.CallAsync"/>.
/// </summary>
public static class McpTools
{
    /// <summary>Lists the server's tools (all pages) and converts each one with <see cref="FromMcpTool(McpClientTool, McpToolResultMode)"/>.</summary>
    /// <param name="client">A connected MCP client; the tools call through it, so keep it open while they are used.</param>
    /// <param name="resultMode">How call results become tool values.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    public static async Task<IReadOnlyList<Tool>> ListAsync(McpClient client, McpToolResultMode resultMode = McpToolResultMode.Text,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return tools.Select(t => FromMcpTool(t, resultMode)).ToList();
    }

    /// <summary>Lists the server's tools with <see cref="McpToolResultMode.Text"/> results.</summary>
    public static Task<IReadOnlyList<Tool>> ListAsync(McpClient client, CancellationToken cancellationToken)
        => ListAsync(client, McpToolResultMode.Text, cancellationToken);

    /// <summary>Converts one tool listed by an MCP client (DSPy's <c>Tool.from_mcp_tool</c>).</summary>
    public static Tool FromMcpTool(McpClientTool tool, McpToolResultMode resultMode = McpToolResultMode.Text)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return Create(tool.ProtocolTool, (args, ct) => tool.CallAsync(args, cancellationToken: ct), resultMode);
    }

    /// <summary>
    /// Converts the protocol description of a tool, calling it through <paramref name="client"/> (DSPy's
    /// <c>convert_mcp_tool(session, tool)</c>). As in DSPy, each argument's description is the schema's description or
    /// <c>"No description provided."</c>, with <c>" (Required)"</c> appended for required arguments; these go to
    /// <see cref="Tool.ArgDesc"/>, while <see cref="Tool.Args"/> holds the schemas as the server gave them.
    /// </summary>
    public static Tool FromMcpTool(McpClient client, McpProtocolTool tool, McpToolResultMode resultMode = McpToolResultMode.Text)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tool);
        return Create(tool, (args, ct) => client.CallToolAsync(tool.Name, args, cancellationToken: ct), resultMode);
    }

    private static Tool Create(McpProtocolTool tool, Func<IReadOnlyDictionary<string, object?>, CancellationToken, ValueTask<CallToolResult>> callTool,
        McpToolResultMode resultMode)
    {
        var (args, argDesc) = ArgsFromInputSchema(tool.Name, tool.InputSchema);
        return new Tool(new McpToolFunction(tool, callTool, resultMode), name: tool.Name, desc: tool.Description, args: args, argDesc: argDesc);
    }

    /// <summary>
    /// DSPy's <c>_convert_mcp_tool_result</c>: one text content gives its string, several give a list of strings, and a
    /// result without text gives its other contents (each as a JSON dictionary, e.g. <c>{"type": "image", ...}</c>).
    /// In <see cref="McpToolResultMode.Structured"/> mode the <c>structuredContent</c> is returned when present.
    /// </summary>
    /// <exception cref="McpToolError">The result is an error (<c>isError</c>); the message carries its text.</exception>
    public static object? ConvertResult(string toolName, CallToolResult result, McpToolResultMode resultMode = McpToolResultMode.Text)
    {
        ArgumentNullException.ThrowIfNull(result);
        var texts = new List<object?>();
        var others = new List<object?>();
        foreach (var block in result.Content)
        {
            if (block is TextContentBlock text) texts.Add(text.Text);
            else others.Add(ValueModel.FromJson(JsonSerializer.SerializeToElement(block, McpJsonUtilities.DefaultOptions)));
        }
        object? content = texts.Count == 1 ? texts[0] : texts;
        if (result.IsError is true) throw new McpToolError(toolName, content);
        if (resultMode == McpToolResultMode.Structured && result.StructuredContent is { } structured)
        {
            return ValueModel.FromClr(structured);
        }
        // DSPy: `tool_content or non_text_contents`: an empty text list falls through to the other parts.
        return texts.Count > 0 ? content : others;
    }

    private static (Dictionary<string, object?> Args, Dictionary<string, string> ArgDesc) ArgsFromInputSchema(string toolName, JsonElement schema)
    {
        var args = new Dictionary<string, object?>(StringComparer.Ordinal);
        var argDesc = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ValueModel.FromJson(schema) is not Dictionary<string, object?> root) return (args, argDesc);
        if (root.GetValueOrDefault("properties") is not Dictionary<string, object?> properties) return (args, argDesc);
        var required = root.GetValueOrDefault("required") as List<object?> ?? [];
        var defs = root.GetValueOrDefault("$defs") as Dictionary<string, object?>;
        foreach (var (name, value) in properties)
        {
            if (value is not Dictionary<string, object?> property)
            {
                throw new ArgumentException($"MCP tool '{toolName}': the input schema of argument '{name}' must be an object, not {PythonRepr.Repr(value)}.");
            }
            var resolved = defs is null ? property : (Dictionary<string, object?>)InlineRefs(property, defs, toolName, 0)!;
            args[name] = resolved;
            var desc = resolved.GetValueOrDefault("description") as string ?? "No description provided.";
            argDesc[name] = required.Contains(name) ? desc + " (Required)" : desc;
        }
        return (args, argDesc);
    }

    // Replaces {"$ref": "#/$defs/Name"} by the definition, recursively (DSPy's _resolve_json_schema_reference).
    private static object? InlineRefs(object? node, Dictionary<string, object?> defs, string toolName, int depth)
    {
        if (depth > 64) throw new ArgumentException($"MCP tool '{toolName}': the input schema's $ref chain is too deep (a cycle?).");
        switch (node)
        {
            case Dictionary<string, object?> d when d.GetValueOrDefault("$ref") is string pointer:
                const string prefix = "#/$defs/";
                if (!pointer.StartsWith(prefix, StringComparison.Ordinal) || !defs.TryGetValue(pointer[prefix.Length..], out var target))
                {
                    throw new ArgumentException($"MCP tool '{toolName}': cannot resolve the schema reference '{pointer}'.");
                }
                return InlineRefs(target, defs, toolName, depth + 1);
            case Dictionary<string, object?> d:
                return d.Where(kv => kv.Key != "$defs").ToDictionary(kv => kv.Key, kv => InlineRefs(kv.Value, defs, toolName, depth + 1), StringComparer.Ordinal);
            case List<object?> l:
                return l.Select(x => InlineRefs(x, defs, toolName, depth + 1)).ToList();
            default:
                return node;
        }
    }
}
