namespace Dspy;

/// <summary>
/// DSPy's <c>StreamResponse</c>: a piece of one output field's value as the LM writes it, from a
/// <see cref="StreamListener"/>. The chunks of one field, concatenated, give the field's text (for <see cref="JsonAdapter"/>
/// the decoded JSON string, for <see cref="XmlAdapter"/> the unescaped text); exactly one chunk per streamed field has
/// <see cref="IsLastChunk"/> set, and it may be empty.
/// </summary>
/// <param name="PredictName">The listened predictor's name in the program (<c>self</c>, <c>extract.predict</c> ...), or null if unknown.</param>
/// <param name="SignatureFieldName">The output field.</param>
/// <param name="Chunk">The new text.</param>
/// <param name="IsLastChunk">True on the field's final chunk.</param>
public sealed record StreamResponse(string? PredictName, string SignatureFieldName, string Chunk, bool IsLastChunk);
