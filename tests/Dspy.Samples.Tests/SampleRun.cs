namespace Dspy.Samples.Tests;

/// <summary>Runs a sample's entry method in-process, as its Program.cs does, and keeps what it printed.</summary>
internal static class SampleRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        Func<string[], TextWriter, CancellationToken, Task<int>> entry, params string[] args)
    {
        using var output = new StringWriter();
        var code = await entry(args, output, CancellationToken.None);
        return (code, output.ToString());
    }

    /// <summary>The values printed after <paramref name="prefix"/> on each line that starts with it.</summary>
    public static List<string> Values(string output, string prefix) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => l[prefix.Length..].Trim()).ToList();
}
