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
            Console.Out.WriteLine(Render(parse.GetRequiredValue(signature), parse.GetValue(instructions), parse.GetValue(adapter)!,
                CommandInputs.ReadDemos(parse.GetValue(demos)), parse.GetRequiredValue(inputs)));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    /// <summary>What <c>dspy prompt</c> prints: the adapter's messages for the signature, demos and JSON inputs.</summary>
    public static string Render(string signature, string? instructions, string adapter, IReadOnlyList<Example> demos, string inputsJson)
    {
        var sig = CommandInputs.ParseSignature(signature, instructions);
        var values = CommandInputs.CoerceInputs(sig, JsonInput.ParseObject(inputsJson, "--inputs"));
        // The two-step adapter's extraction model is never called by Format; a simulated LM stands in for it.
        var chosen = CommandInputs.CreateAdapter(adapter, () => new LM("sim"));
        return MessageJson.Render(chosen.Format(sig, demos, values));
    }
}
