using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>Presents a <see cref="Tool"/> as a Microsoft.Extensions.AI function for native tool calling.</summary>
internal sealed class ToolAIFunction(Tool tool) : AIFunction
{
    private readonly JsonElement _schema = JsonSerializer.SerializeToElement(tool.ParametersSchema(), DspyJson.Options);

    public override string Name => tool.Name;

    public override string Description => tool.Desc ?? "";

    public override JsonElement JsonSchema => _schema;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // Arguments from a model arrive as JsonElements; the tool validates and binds value-model values.
        var kwargs = arguments.ToDictionary(kv => kv.Key, kv => ValueModel.FromClr(kv.Value), StringComparer.Ordinal);
        return await tool.CallAsync(kwargs, cancellationToken).ConfigureAwait(false);
    }
}
