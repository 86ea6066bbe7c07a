namespace Dspy;

/// <summary>
/// An MCP server answered a tool call with an error result (<c>isError</c>). DSPy raises
/// <c>RuntimeError("Failed to call a MCP tool: ...")</c>; this is that error, so ReAct shows it as the turn's
/// observation (<c>Execution error in {tool}: ...</c>) and a direct caller can catch it.
/// </summary>
public class McpToolError : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public McpToolError() { }

    /// <summary>Creates the error with a message.</summary>
    public McpToolError(string message) : base(message) { }

    /// <summary>Creates the error with a message and the underlying exception.</summary>
    public McpToolError(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the error for a failed call of <paramref name="toolName"/> whose result content was <paramref name="content"/>.</summary>
    public McpToolError(string toolName, object? content)
        : base($"Failed to call a MCP tool: {PythonRepr.Str(content)}")
    {
        ToolName = toolName;
        Content = content;
    }

    /// <summary>The MCP tool that failed, when known.</summary>
    public string? ToolName { get; }

    /// <summary>The error result's content, converted as a successful result would be (text, list of texts, or other parts).</summary>
    public object? Content { get; }
}
