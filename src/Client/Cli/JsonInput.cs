using System.Text.Json;

namespace Dspy.Cli;

/// <summary>Reads JSON and JSONL given on the command line into DSPy values (a number with a fraction or exponent is a float).</summary>
internal static class JsonInput
{
    /// <summary>Parses a JSON object of named values, e.g. the <c>--inputs</c> option.</summary>
    public static Dictionary<string, object?> ParseObject(string json, string optionName)
    {
        object? value;
        try
        {
            value = ValueModel.ParseJson(json);
        }
        catch (JsonException ex)
        {
            throw new CliException($"{optionName} is not valid JSON: {ex.Message}");
        }
        return value as Dictionary<string, object?>
            ?? throw new CliException($"{optionName} must be a JSON object of field names to values, not {Describe(value)}.");
    }

    /// <summary>Reads a JSONL file: one JSON object per non-empty line.</summary>
    public static List<Dictionary<string, object?>> ReadJsonl(string path, string optionName)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"{optionName}: cannot read '{path}': {ex.Message}");
        }

        return ParseJsonl(lines, path, optionName);
    }

    /// <summary>Parses JSONL lines (from <paramref name="source"/>): one JSON object per non-empty line.</summary>
    public static List<Dictionary<string, object?>> ParseJsonl(IReadOnlyList<string> lines, string source, string optionName)
    {
        var path = source;
        var rows = new List<Dictionary<string, object?>>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            object? value;
            try
            {
                value = ValueModel.ParseJson(lines[i]);
            }
            catch (JsonException ex)
            {
                throw new CliException($"{optionName}: line {i + 1} of '{path}' is not valid JSON: {ex.Message}");
            }
            rows.Add(value as Dictionary<string, object?>
                ?? throw new CliException($"{optionName}: line {i + 1} of '{path}' must be a JSON object, not {Describe(value)}."));
        }
        return rows;
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string => "a string",
        bool => "a boolean",
        long or double or System.Numerics.BigInteger => "a number",
        System.Collections.IList => "an array",
        _ => "a " + value.GetType().Name,
    };
}
