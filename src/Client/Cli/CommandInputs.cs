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
