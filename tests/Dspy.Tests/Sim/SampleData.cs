using System.Text.Json;

namespace Dspy.Tests.Sim;

/// <summary>Loads the bundled sample datasets from the repository's <c>samples</c> folder.</summary>
internal static class SampleData
{
    public static string SamplesDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dspy.Orleans.sln"))) dir = dir.Parent;
            return dir is null ? throw new InvalidOperationException("Repository root not found.") : Path.Combine(dir.FullName, "samples");
        }
    }

    public static List<Dictionary<string, string>> Load(string task, string split)
    {
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in File.ReadLines(Path.Combine(SamplesDirectory, task, split + ".jsonl")))
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject()) row[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The first <paramref name="count"/> examples of a split as DSPy examples with the given input keys.</summary>
    public static List<Example> LoadExamples(string task, string split, int count, params string[] inputs) =>
        File.ReadLines(Path.Combine(SamplesDirectory, task, split + ".jsonl"))
            .Where(l => l.Length > 0)
            .Take(count)
            .Select(l => new Example((Dictionary<string, object?>)ValueModel.ParseJson(l)!).WithInputs(inputs))
            .ToList();
}
