namespace Dspy;

/// <summary>How an MCP tool's result becomes the tool's return value (DSPy's <c>result_mode</c>).</summary>
public enum McpToolResultMode
{
    /// <summary>
    /// The text contents: one text part gives a string, several give a list of strings; a result without text gives
    /// its other parts (as JSON dictionaries).
    /// </summary>
    Text,

    /// <summary>The result's <c>structuredContent</c> when the server sent one, otherwise as <see cref="Text"/>.</summary>
    Structured,
}
