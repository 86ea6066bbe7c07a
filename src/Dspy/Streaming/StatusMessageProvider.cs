namespace Dspy;

/// <summary>
/// DSPy's <c>StatusMessageProvider</c>: the texts of the <see cref="StatusMessage"/>s a streamed call yields. Each hook
/// returns a message or null (no message). The defaults are DSPy's: a message when a tool starts and when it ends
/// (never for ReAct's <c>finish</c> tool), nothing for modules and LM calls. Override to change or add messages.
/// </summary>
public class StatusMessageProvider
{
    /// <summary>A tool call starts; default <c>Calling tool {name}...</c>.</summary>
    public virtual string? ToolStartStatusMessage(Tool instance, IReadOnlyDictionary<string, object?> inputs)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return $"Calling tool {instance.Name}...";
    }

    /// <summary>A tool call ended (also after a failure, with null outputs); default <c>Tool calling finished! Querying the LLM with tool calling results...</c>.</summary>
    public virtual string? ToolEndStatusMessage(object? outputs) => "Tool calling finished! Querying the LLM with tool calling results...";

    /// <summary>A module call starts; default none.</summary>
    public virtual string? ModuleStartStatusMessage(Module instance, IReadOnlyDictionary<string, object?> inputs) => null;

    /// <summary>A module call ended; default none.</summary>
    public virtual string? ModuleEndStatusMessage(object? outputs) => null;

    /// <summary>An LM call starts; default none.</summary>
    public virtual string? LmStartStatusMessage(BaseLM instance, IReadOnlyDictionary<string, object?> inputs) => null;

    /// <summary>An LM call ended; default none.</summary>
    public virtual string? LmEndStatusMessage(object? outputs) => null;
}
