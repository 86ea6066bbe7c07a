using System.Text.Json;

namespace Dspy.Cli;

/// <summary>
/// Loads a saved program state (<c>Module.Save</c>, DSPy's format) into the program built from <c>--signature</c> and
/// <c>--module</c>, refusing a file saved for another program: every predictor path must be present, with as many
/// signature fields as the built predictor, and fields that still carry DSPy's default description (<c>${name}</c>) must
/// name the same field. (DSPy itself would load such a file silently, field by field in order.)
/// </summary>
internal static class ProgramFile
{
    public static void Load(Module program, string path, string optionName = "--program")
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"{optionName}: cannot read '{path}': {ex.Message}");
        }
        object? parsed;
        try
        {
            parsed = ValueModel.ParseJson(text);
        }
        catch (JsonException ex)
        {
            throw new CliException($"{optionName}: '{path}' is not valid JSON: {ex.Message}");
        }
        if (parsed is not Dictionary<string, object?> state) throw new CliException($"{optionName}: '{path}' must hold a JSON object (a saved program).");

        foreach (var (name, predictor) in program.NamedPredictors())
        {
            var entry = program is Predict ? state : state.GetValueOrDefault(name);
            var mismatch = Mismatch(name, predictor, entry as Dictionary<string, object?>);
            if (mismatch is not null)
            {
                throw new CliException($"{optionName}: '{path}' does not match the program built from --signature/--module: {mismatch}.");
            }
        }
        try
        {
            program.LoadState(state);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidDataException or ArgumentException or NotSupportedException or InvalidCastException)
        {
            throw new CliException($"{optionName}: '{path}' does not match the program built from --signature/--module: {ex.Message}");
        }
    }

    private static string? Mismatch(string name, Predict predictor, Dictionary<string, object?>? state)
    {
        if (state is null || !state.TryGetValue("signature", out var saved)) return $"it has no state for predictor '{name}'";
        if (saved is not Dictionary<string, object?> signature || signature.GetValueOrDefault("fields") is not List<object?> fields)
            return $"the state of predictor '{name}' has no signature fields";
        var expected = predictor.Signature.Fields;
        if (fields.Count != expected.Count)
            return $"predictor '{name}' was saved with {fields.Count} signature fields, the built one has {expected.Count} ({predictor.Signature.SignatureText})";
        for (var i = 0; i < fields.Count; i++)
        {
            var description = (fields[i] as Dictionary<string, object?>)?.GetValueOrDefault("description") as string;
            if (description is { Length: > 3 } && description.StartsWith("${", StringComparison.Ordinal) && description.EndsWith('}')
                && description[2..^1] != expected[i].Name)
            {
                return $"predictor '{name}' field {i + 1} was saved as '{description[2..^1]}', the built one is '{expected[i].Name}'";
            }
        }
        return null;
    }
}
