using System.Reflection;

namespace Dspy;

/// <summary>A tool as native function calling needs it: name, description and a JSON schema of its parameters.</summary>
public interface IToolDefinition
{
    /// <summary>The tool's name.</summary>
    string Name { get; }

    /// <summary>What the tool does.</summary>
    string Description { get; }

    /// <summary>The JSON schema (value model) of the tool's parameters: <c>{"type": "object", "properties": ..., "required": [...]}</c>.</summary>
    IReadOnlyDictionary<string, object?> ParametersSchema { get; }
}

/// <summary>Turns tool objects into the OpenAI-style <c>tools</c> entries sent with native function calling.</summary>
public static class ToolDefinitions
{
    /// <summary>
    /// <c>{"type": "function", "function": {"name", "description", "parameters"}}</c> for an <see cref="IToolDefinition"/>, or
    /// the result of the tool's own <c>FormatAsFunctionCall()</c>/<c>FormatAsLitellmFunctionCall()</c> method.
    /// </summary>
    /// <exception cref="ArgumentException">The object is not a tool.</exception>
    public static Dictionary<string, object?> ToFunctionCall(object tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (tool is IToolDefinition def)
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["name"] = def.Name,
                    ["description"] = def.Description,
                    ["parameters"] = def.ParametersSchema.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
                },
            };
        }
        foreach (var name in new[] { "FormatAsFunctionCall", "FormatAsLitellmFunctionCall", "ToFunctionCall" })
        {
            var method = tool.GetType().GetMethod(name, BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            if (method is not null && method.Invoke(tool, null) is { } result && ValueModel.FromClr(result) is Dictionary<string, object?> d) return d;
        }
        throw new ArgumentException($"{tool.GetType().Name} is not a tool: it neither implements IToolDefinition nor has a FormatAsFunctionCall() method.", nameof(tool));
    }
}
