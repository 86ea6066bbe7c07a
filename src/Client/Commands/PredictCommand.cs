using System.CommandLine;

namespace Dspy.Cli;

/// <summary><c>dspy predict</c>: runs one prediction and prints its fields as JSON.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var signature = CliOptions.Signature();
        var module = CliOptions.Module();
        var inputs = CliOptions.Inputs();
        var lm = CliOptions.Lm();
        var apiBase = CliOptions.ApiBase();
        var demos = new Option<string?>("--demos") { Description = "A JSONL file; each line is one demo object." };
        var programFile = CliOptions.Program();

        var command = new Command("predict", "Run the signature once and print the prediction as JSON.") { signature, module, inputs, lm, apiBase, demos, programFile };
        command.SetAction((parse, ct) => CliRunner.RunAsync(async () =>
        {
            var sig = CommandInputs.ParseSignature(parse.GetRequiredValue(signature), null);
            var values = CommandInputs.CoerceInputs(sig, JsonInput.ParseObject(parse.GetRequiredValue(inputs), "--inputs"));
            CommandInputs.CheckInputs(sig, values);
            var program = ProgramFactory.Create(parse.GetValue(module)!, sig, parse.GetValue(programFile), CommandInputs.ReadDemos(parse.GetValue(demos)), parse.GetValue(demos) is not null);
            using var scope = Settings.Context(lm: LmSelection.Create(LmSelection.ChooseModel(parse.GetValue(lm), Console.Error), parse.GetValue(apiBase)));
            var prediction = await program.CallAsync(values, ct);
            Console.Out.WriteLine(PythonJson.Dumps(prediction.ToDictionary(), ensureAscii: false, indent: 2));
            return ExitCodes.Success;
        }));
        return command;
    }
}
