namespace Dspy;

/// <summary>
/// DSPy's custom-type protocol (<c>dspy.Type</c>): a value that renders itself into prompts. <see cref="Format"/> returns
/// either text or a list of OpenAI-style content parts (such as <c>{"type": "image_url", ...}</c>); content parts are
/// embedded in text between <see cref="CustomTypeStart"/> and <see cref="CustomTypeEnd"/> and split out into message
/// parts when the message is built, exactly as DSPy does.
/// </summary>
public interface IDspyType
{
    /// <summary>DSPy's marker that opens an embedded content-part list.</summary>
    const string CustomTypeStart = "<<CUSTOM-TYPE-START-IDENTIFIER>>";

    /// <summary>DSPy's marker that closes an embedded content-part list.</summary>
    const string CustomTypeEnd = "<<CUSTOM-TYPE-END-IDENTIFIER>>";

    /// <summary>DSPy's <c>format()</c>: a string, a value-model dictionary, or a list of content-part dictionaries.</summary>
    object Format();

    /// <summary>
    /// DSPy's pydantic serialisation of the value (what <c>serialize_for_json</c> yields): content-part lists become a
    /// marker string, other formats are returned as they are.
    /// </summary>
    object? Serialize()
    {
        var formatted = Format();
        if (formatted is IList<object?> parts)
        {
            return CustomTypeStart + PythonJson.Dumps(parts) + CustomTypeEnd;
        }
        return formatted;
    }
}
