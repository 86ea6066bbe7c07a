namespace Dspy;

/// <summary>The instructions of ReAct's per-turn signature, word for word as DSPy 3.3.1 writes them.</summary>
internal static class ReActInstructions
{
    public static string Build(Signature signature, IEnumerable<Tool> tools)
    {
        var inputs = string.Join(", ", signature.InputFields.Select(f => $"`{f.Name}`"));
        var outputs = string.Join(", ", signature.OutputFields.Select(f => $"`{f.Name}`"));
        var lines = new List<string>();
        if (!string.IsNullOrEmpty(signature.Instructions)) lines.Add($"{signature.Instructions}\n");
        lines.Add($"You are an Agent. In each episode, you will be given the fields {inputs} as input. And you can see your past trajectory so far.");
        lines.Add($"Your goal is to use one or more of the supplied tools to collect any necessary information for producing {outputs}.\n");
        lines.Add("To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also when finishing the task.");
        lines.Add("After each tool call, you receive a resulting observation, which gets appended to your trajectory.\n");
        lines.Add("When writing next_thought, you may reason about the current situation and plan for future steps.");
        lines.Add("When selecting the next_tool_name and its next_tool_args, the tool must be one of:\n");
        var i = 0;
        foreach (var tool in tools) lines.Add($"({++i}) {tool}");
        lines.Add("When providing `next_tool_args`, the value inside the field must be in JSON format");
        return string.Join("\n", lines);
    }
}
