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
        CompileCommand.Create(),
        SimCommand.Create(),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine's messages can span lines (lists of allowed values); keep the promise of one line.
            var text = string.Join("; ", parse.Errors.Select(e => string.Join(' ', e.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))));
            await Console.Error.WriteLineAsync("error: " + text + " (see 'dspy --help')");
            return ExitCodes.InvalidInput;
        }
        return await parse.InvokeAsync();
    }
}
