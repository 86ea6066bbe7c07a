namespace Dspy;

/// <summary>The output format of a streamed LM response, from the adapter that made the request.</summary>
internal enum StreamFormat
{
    /// <summary><see cref="ChatAdapter"/>: <c>[[ ## field ## ]]</c> sections.</summary>
    Chat,

    /// <summary><see cref="JsonAdapter"/> (also ChatAdapter's JSON fallback): one JSON object.</summary>
    Json,

    /// <summary><see cref="XmlAdapter"/>: <c>&lt;field&gt;...&lt;/field&gt;</c>.</summary>
    Xml,

    /// <summary>Another adapter, whose format stream listeners do not know.</summary>
    Unsupported,
}
