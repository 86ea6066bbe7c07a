using System.CommandLine;

namespace Dspy.Cli;

/// <summary><c>dspy prompt</c>: prints the exact messages an adapter would send, without calling any LM.</summary>
internal static class PromptCommand
{
    public static Command Create()
    {
        var signature = CliOptions.Signature();
        var instructions = new Option<string?>("--instructions") { Description = "Instructions of the signature (DSPy's docstring)." };
        var adapter = new Option<string>("--adapter") { Description = "chat, json, xml or two-step.", DefaultValueFactory = _ => "chat" };
        adapter.AcceptOnlyFromAmong("chat", "json", "xml", "two-step");
        var demos = new Option<string?>("--demos") { Description = "A JSONL file; each line is one demo object." };
        var inputs = CliOptions.Inputs();

        var command = new Command("prompt", "Print the messages the LM would receive, as a JSON array of {role, content}.")
        {
            signature, instructions, adapter, demos, inputs,
        };
        command.SetAction((parse, _) => CliRunner.RunAsync(() =>
        {
            var sig = CommandInputs.ParseSignature(parse.GetRequiredValue(signature), parse.GetValue(instructions));
            var values = CommandInputs.CoerceInputs(sig, JsonInput.ParseObject(parse.GetRequiredValue(inputs), "--inputs"));
            // The two-step adapter's extraction model is never called by Format; a simulated LM stands in for it.
            var chosen = CommandInputs.CreateAdapter(parse.GetValue(adapter)!, () => new LM("sim"));
            var messages = chosen.Format(sig, CommandInputs.ReadDemos(parse.GetValue(demos)), values);
            Console.Out.WriteLine(MessageJson.Render(messages));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
