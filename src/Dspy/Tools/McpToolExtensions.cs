using ModelContextProtocol.Client;
using McpProtocolTool = ModelContextProtocol.Protocol.Tool;

namespace Dspy;

/// <summary>DSPy's spelling, <c>Tool.from_mcp_tool(session, tool)</c>, as static extensions of <see cref="Tool"/>.</summary>
public static class McpToolExtensions
{
    extension(Tool)
    {
        /// <summary>DSPy's <c>Tool.from_mcp_tool</c>: the same as <see cref="McpTools.FromMcpTool(McpClient, McpProtocolTool, McpToolResultMode)"/>.</summary>
        public static Tool FromMcpTool(McpClient client, McpProtocolTool tool, McpToolResultMode resultMode = McpToolResultMode.Text)
            => McpTools.FromMcpTool(client, tool, resultMode);

        /// <summary>DSPy's <c>Tool.from_mcp_tool</c> for a tool listed by <c>McpClient.ListToolsAsync</c>.</summary>
        public static Tool FromMcpTool(McpClientTool tool, McpToolResultMode resultMode = McpToolResultMode.Text)
            => McpTools.FromMcpTool(tool, resultMode);
    }
}
