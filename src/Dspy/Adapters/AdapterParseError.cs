namespace Dspy;

/// <summary>Base of DSPy's own errors (<c>DSPyError</c>).</summary>
public class DspyException : Exception
{
    /// <summary>Creates the error.</summary>
    public DspyException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>
/// DSPy's <c>AdapterParseError</c>: the LM response could not be parsed into the signature's outputs. The message has
/// DSPy's exact layout; the raw response and what was parsed are kept.
/// </summary>
public sealed class AdapterParseError : DspyException
{
    /// <summary>Creates the error with DSPy's message layout.</summary>
    public AdapterParseError(string adapterName, Signature signature, string lmResponse, string? message = null,
        IReadOnlyDictionary<string, object?>? parsedResult = null, Exception? innerException = null)
        : base(BuildMessage(adapterName, signature, lmResponse, message, parsedResult), innerException)
    {
        AdapterName = adapterName;
        Signature = signature;
        LmResponse = lmResponse;
        ParsedResult = parsedResult;
    }

    /// <summary>The adapter's class name, e.g. <c>ChatAdapter</c>.</summary>
    public string AdapterName { get; }

    /// <summary>The signature being parsed.</summary>
    public Signature Signature { get; }

    /// <summary>The raw LM response.</summary>
    public string LmResponse { get; }

    /// <summary>The fields parsed before the failure, if any.</summary>
    public IReadOnlyDictionary<string, object?>? ParsedResult { get; }

    private static string BuildMessage(string adapterName, Signature signature, string lmResponse, string? message,
        IReadOnlyDictionary<string, object?>? parsed)
    {
        var text = string.IsNullOrEmpty(message) ? "" : message + "\n\n";
        text += $"Adapter {adapterName} failed to parse the LM response. \n\n"
              + $"LM Response: {lmResponse} \n\n"
              + $"Expected to find output fields in the LM response: [{string.Join(", ", signature.OutputFields.Select(f => f.Name))}] \n\n";
        if (parsed is not null)
        {
            text += $"Actual output fields parsed from the LM response: [{string.Join(", ", parsed.Keys)}] \n\n";
        }
        return text;
    }
}
