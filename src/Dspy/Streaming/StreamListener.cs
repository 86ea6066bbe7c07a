namespace Dspy;

/// <summary>
/// DSPy's <c>StreamListener</c>: asks <see cref="Streaming.Streamify"/> to stream one string output field of one
/// predictor as <see cref="StreamResponse"/> chunks. It watches the LM's streamed text for the field's start marker
/// (<c>[[ ## name ## ]]</c> for <see cref="ChatAdapter"/>, <c>"name":</c> for <see cref="JsonAdapter"/>, <c>&lt;name&gt;</c> for
/// <see cref="XmlAdapter"/>) and passes on the text up to the next marker, holding back only what could be the start of
/// that marker (so markers split across chunks are recognised and never leak into the chunks).
/// </summary>
/// <remarks>
/// A listener is a description: each streamed call keeps its own listening state, so one listener can serve many calls.
/// Without <see cref="AllowReuse"/> it streams the field once per call (the first LM response that writes it, e.g.
/// ReAct's first turn); with it, every response of the predictor that writes the field.
/// </remarks>
public sealed class StreamListener
{
    /// <summary>Creates a listener.</summary>
    /// <param name="signatureFieldName">The output field to stream; it must be a <c>str</c> field.</param>
    /// <param name="predict">The predictor whose field to stream; when null, the one predictor of the program that has the field.</param>
    /// <param name="predictName">The name reported in <see cref="StreamResponse.PredictName"/>; found in the program when null.</param>
    /// <param name="allowReuse">Stream the field every time the predictor runs, not only the first time.</param>
    public StreamListener(string signatureFieldName, Predict? predict = null, string? predictName = null, bool allowReuse = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signatureFieldName);
        SignatureFieldName = signatureFieldName;
        Predict = predict;
        PredictName = predictName;
        AllowReuse = allowReuse;
    }

    /// <summary>The output field to stream.</summary>
    public string SignatureFieldName { get; }

    /// <summary>The predictor to listen to, or null to find it in the program.</summary>
    public Predict? Predict { get; }

    /// <summary>The predictor's name, or null to find it in the program.</summary>
    public string? PredictName { get; }

    /// <summary>Whether the field is streamed every time the predictor runs.</summary>
    public bool AllowReuse { get; }

    /// <inheritdoc/>
    public override string ToString() => $"StreamListener({SignatureFieldName}{(PredictName is null ? "" : $", {PredictName}")})";
}
