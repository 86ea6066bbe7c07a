using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's <c>Adapter</c>: turns a signature, demos and inputs into chat messages, calls the LM, and parses each
/// generation back into output values. Implementations: <c>ChatAdapter</c>, <c>JsonAdapter</c>, <c>XmlAdapter</c>, <c>TwoStepAdapter</c>.
/// </summary>
public abstract class Adapter
{
    /// <summary>The messages the LM receives for this signature, demos and inputs.</summary>
    public abstract IReadOnlyList<ChatMessage> Format(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs);

    /// <summary>Parses one completion into output values, or throws <see cref="AdapterParseError"/>.</summary>
    public abstract Dictionary<string, object?> Parse(Signature signature, string completion);

    /// <summary>
    /// Formats, calls <paramref name="lm"/> with <paramref name="lmKwargs"/>, and parses every generation. Returns one
    /// dictionary of output values per generation.
    /// </summary>
    public abstract Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default);
}
