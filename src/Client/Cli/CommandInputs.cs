namespace Dspy.Cli;

/// <summary>Turns command-line values into DSPy objects, with one clear error line for each kind of bad input.</summary>
internal static class CommandInputs
{
    public static Signature ParseSignature(string text, string? instructions)
    {
        try
        {
            return Signature.Parse(text, string.IsNullOrEmpty(instructions) ? null : instructions);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--signature: {ex.Message}");
        }
    }

    public static Adapter CreateAdapter(string name, Func<BaseLM> extractionModel) => name switch
    {
        "chat" => new ChatAdapter(),
        "json" => new JsonAdapter(),
        "xml" => new XmlAdapter(),
        "two-step" => new TwoStepAdapter(extractionModel()),
        _ => throw new CliException($"--adapter: unknown adapter '{name}'; expected chat, json, xml or two-step."),
    };

    public static List<Example> ReadDemos(string? path) =>
        path is null ? [] : JsonInput.ReadJsonl(path, "--demos").Select(row => new Example(row)).ToList();

    /// <summary>
    /// Turns JSON values of <c>dspy.History</c> input fields (<c>{"messages": [...]}</c>) into <see cref="History"/>
    /// objects, as a DSPy caller passes <c>dspy.History(messages=...)</c>; other values stay as they are.
    /// </summary>
    public static Dictionary<string, object?> CoerceInputs(Signature signature, Dictionary<string, object?> inputs, string optionName = "--inputs")
    {
        foreach (var field in signature.InputFields.Where(f => f.Type.Kind == TypeKind.History))
        {
            if (inputs.TryGetValue(field.Name, out var value) && value is Dictionary<string, object?>)
            {
                try
                {
                    inputs[field.Name] = History.Validate(value);
                }
                catch (ArgumentException ex)
                {
                    throw new CliException($"{optionName}: field '{field.Name}': {ex.Message}");
                }
            }
        }
        return inputs;
    }

    /// <summary>Checks that every input field has a value (or a default) and no unknown field is given.</summary>
    public static void CheckInputs(Signature signature, IReadOnlyDictionary<string, object?> inputs, string optionName = "--inputs")
    {
        var missing = signature.InputFields.Where(f => !inputs.ContainsKey(f.Name) && !f.HasDefault).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw new CliException($"{optionName}: missing input field{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"'{m}'"))} of signature '{signature.SignatureText}'.");
        }
        var unknown = inputs.Keys.Where(k => signature[k] is not { IsInput: true }).ToList();
        if (unknown.Count > 0)
        {
            throw new CliException($"{optionName}: {string.Join(", ", unknown.Select(u => $"'{u}'"))} {(unknown.Count > 1 ? "are not input fields" : "is not an input field")} of signature '{signature.SignatureText}'.");
        }
    }
}
