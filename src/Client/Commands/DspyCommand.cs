using System.CommandLine;

namespace Dspy.Cli;

/// <summary>The root <c>dspy</c> command: composes the sub-commands and reports usage errors as one line.</summary>
internal static class DspyCommand
{
    public static RootCommand Create() => new("dspy: programming, not prompting, language models.")
    {
        PromptCommand.Create(),
        PredictCommand.Create(),
        EvalCommand.Create(),
        SimCommand.Create(),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("error: " + string.Join("; ", parse.Errors.Select(e => e.Message)) + " (see 'dspy --help')");
            return ExitCodes.InvalidInput;
        }
        return await parse.InvokeAsync();
    }
}
