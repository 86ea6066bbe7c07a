namespace Dspy;

/// <summary>Which pair of <see cref="IDspyCallback"/> hooks a call runs.</summary>
public enum CallbackKind
{
    /// <summary><c>OnModuleStart</c>/<c>OnModuleEnd</c>.</summary>
    Module,

    /// <summary><c>OnLmStart</c>/<c>OnLmEnd</c>.</summary>
    Lm,

    /// <summary><c>OnAdapterFormatStart</c>/<c>OnAdapterFormatEnd</c>.</summary>
    AdapterFormat,

    /// <summary><c>OnAdapterParseStart</c>/<c>OnAdapterParseEnd</c>.</summary>
    AdapterParse,

    /// <summary><c>OnToolStart</c>/<c>OnToolEnd</c>.</summary>
    Tool,

    /// <summary><c>OnEvaluateStart</c>/<c>OnEvaluateEnd</c>.</summary>
    Evaluate,
}
