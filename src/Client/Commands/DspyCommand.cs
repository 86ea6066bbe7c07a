using System.CommandLine;

namespace Dspy.Cli;

/// <summary>The root <c>dspy</c> command and its sub-commands.</summary>
internal static class DspyCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("dspy: programming, not prompting, language models.");
        var result = root.Parse(args);
        return await result.InvokeAsync();
    }
}
