namespace Dspy.Grains.Tests;

/// <summary>Loads the bundled sample tasks from the repository's <c>samples</c> folder.</summary>
internal static class Samples
{
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dspy.Orleans.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
        }
    }

    public static string Signature(string task) => File.ReadAllText(Path.Combine(RepositoryRoot, "samples", task, "signature.txt")).Trim();

    /// <summary>Examples <paramref name="skip"/>..skip+count of a split, with the given input keys.</summary>
    public static List<Example> Load(string task, string split, int count, int skip, params string[] inputs) =>
        File.ReadLines(Path.Combine(RepositoryRoot, "samples", task, split + ".jsonl"))
            .Where(l => l.Length > 0)
            .Skip(skip)
            .Take(count)
            .Select(l => new Example((Dictionary<string, object?>)ValueModel.ParseJson(l)!).WithInputs(inputs))
            .ToList();
}
