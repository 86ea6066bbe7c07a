namespace Dspy;

/// <summary>
/// Sets the name under which a module's field or property appears in predictor paths and save files
/// (e.g. <c>[DspyName("generate_answer")]</c>). Without it the member name is converted to snake_case with leading
/// underscores removed, so <c>_generateAnswer</c> and <c>GenerateAnswer</c> both become <c>generate_answer</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class DspyNameAttribute(string name) : Attribute
{
    /// <summary>The DSPy-side attribute name.</summary>
    public string Name { get; } = name;
}

/// <summary>Hides a module's field or property from predictor and sub-module discovery.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class DspyIgnoreAttribute : Attribute
{
}
