namespace Dspy.Samples;

/// <summary>Reads the JSONL files a sample ships next to its code (copied to <c>samples/&lt;name&gt;/</c> in the output folder).</summary>
internal static class SampleData
{
    /// <summary>One <see cref="Example"/> per non-empty line, with <paramref name="inputKeys"/> marked as its inputs.</summary>
    public static List<Example> ReadExamples(string sample, string file, params string[] inputKeys)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "samples", sample, file);
        var examples = new List<Example>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            object? value;
            try
            {
                value = ValueModel.ParseJson(line);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new IOException($"{path} line {lineNumber}: invalid JSON: {ex.Message}", ex);
            }
            if (value is not Dictionary<string, object?> row)
            {
                throw new IOException($"{path} line {lineNumber}: expected one JSON object per line.");
            }
            examples.Add(new Example(row).WithInputs(inputKeys));
        }
        return examples;
    }
}
