using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Dspy;

/// <summary>
/// The function behind an MCP <see cref="Tool"/>: presents the server's name, description and input schema, and on
/// invocation sends <c>tools/call</c> (through <paramref name="callTool"/>: the client or a listed client tool) and turns
/// the result into the tool's value (see <see cref="McpTools.ConvertResult"/>).
/// </summary>
internal sealed class McpToolFunction(
    ModelContextProtocol.Protocol.Tool tool,
    Func<IReadOnlyDictionary<string, object?>, CancellationToken, ValueTask<CallToolResult>> callTool,
    McpToolResultMode resultMode) : AIFunction
{
    public override string Name => tool.Name;

    public override string Description => tool.Description ?? "";

    public override JsonElement JsonSchema => tool.InputSchema;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // The arguments are value-model values (validated against the input schema by Tool); sending them as JSON
        // elements keeps their serialisation independent of the MCP SDK's source-generated contracts.
        var payload = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments)
        {
            payload[name] = JsonSerializer.SerializeToElement(ValueModel.FromClr(value), DspyJson.Options);
        }
        CallToolResult result;
        try
        {
            result = await callTool(payload, cancellationToken).ConfigureAwait(false);
        }
        catch (McpException ex)
        {
            // A protocol-level failure (unknown tool, invalid request) is still a failed tool call for the agent.
            throw new McpToolError($"Failed to call a MCP tool: {ex.Message}", ex);
        }
        return McpTools.ConvertResult(tool.Name, result, resultMode);
    }
}
