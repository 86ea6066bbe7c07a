using System.Diagnostics;

namespace Dspy;

/// <summary>
/// The library's OpenTelemetry tracing: one <see cref="ActivitySource"/> named <c>"Dspy"</c> with a span per module call
/// (<c>module {Type}</c>), per LM call (<c>chat {model}</c>, see <see cref="LMTelemetry"/>) and per tool call
/// (<c>tool {name}</c>). Spans nest through <see cref="Activity.Current"/>, which flows with async calls, so a ReAct run
/// shows module(ReAct) → module(Predict) → chat and module(ReAct) → tool. Subscribe with
/// <c>AddSource(DspyTelemetry.SourceName)</c>; without a listener no span is created and nothing is computed.
/// </summary>
public static class DspyTelemetry
{
    /// <summary>The source name to subscribe to.</summary>
    public const string SourceName = "Dspy";

    /// <summary>The shared activity source (the same instance as <see cref="LMTelemetry.Source"/>).</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Span attribute: the module's CLR type name (<c>Predict</c>, <c>ReAct</c>, ...).</summary>
    public const string ModuleTypeAttribute = "dspy.module.type";

    /// <summary>Span attribute: the module's path from the outermost running module (<c>self</c>, <c>self.react</c>, <c>self.extract.predict</c>).</summary>
    public const string ModuleNameAttribute = "dspy.module.name";

    /// <summary>Span attribute (OpenTelemetry GenAI conventions): the tool name.</summary>
    public const string ToolNameAttribute = "gen_ai.tool.name";

    internal static Activity? StartModule(Module module, IReadOnlyList<Module> callers)
    {
        var type = module.GetType().Name;
        var activity = Source.StartActivity($"module {type}", ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag(ModuleTypeAttribute, type);
        activity.SetTag(ModuleNameAttribute, ModulePath(module, callers) ?? type);
        return activity;
    }

    internal static Activity? StartTool(Tool tool)
    {
        var activity = Source.StartActivity($"tool {tool.Name}", ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag("gen_ai.operation.name", "execute_tool");
        activity.SetTag(ToolNameAttribute, tool.Name);
        if (!string.IsNullOrEmpty(tool.Desc)) activity.SetTag("gen_ai.tool.description", tool.Desc);
        return activity;
    }

    /// <summary>Marks a span as failed: error status with the message, and <c>error.type</c>.</summary>
    internal static void Fail(Activity? activity, Exception error)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag("error.type", error.GetType().Name);
    }

    // The dotted path DSPy's named_sub_modules would give this module inside the outermost running module; only
    // computed while someone is recording spans. Null when the module is not reachable from it (e.g. a runtime copy).
    private static string? ModulePath(Module module, IReadOnlyList<Module> callers)
    {
        if (callers.Count == 0) return "self";
        foreach (var (name, sub) in callers[0].NamedSubModules())
        {
            if (ReferenceEquals(sub, module)) return name;
        }
        return null;
    }
}
