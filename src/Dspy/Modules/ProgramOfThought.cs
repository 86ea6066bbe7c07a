using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.ProgramOfThought</c>: the LM writes a program that computes the outputs, the program runs in a sandbox,
/// and the LM answers from what it produced. Three <see cref="ChainOfThought"/> stages: <see cref="CodeGenerate"/> writes
/// the code, <see cref="CodeRegenerate"/> rewrites it from the previous code and its error (up to <see cref="MaxIters"/>
/// attempts in all), and <see cref="GenerateAnswer"/> produces the signature's outputs from the final code and its output.
/// </summary>
/// <remarks>
/// Unlike DSPy, which runs Python in Deno + Pyodide, the programs are JavaScript run by <see cref="JavaScriptInterpreter"/>
/// (or any <see cref="ICodeInterpreter"/>): the instructions and field descriptions say "JavaScript" where DSPy says
/// "Python", and "object" where it says "dict" (see docs/interpreters.md). The program ends by calling
/// <c>SUBMIT({field: value, ...})</c>.
/// </remarks>
public partial class ProgramOfThought : Module
{
    private const string CodeDescription = "JavaScript code that answers the question";

    private static ILogger Log => DspyLogging.CreateLogger(typeof(ProgramOfThought));

    /// <summary>Creates the module.</summary>
    /// <param name="signature">The task.</param>
    /// <param name="maxIters">The number of code attempts before giving up (DSPy's default 3).</param>
    /// <param name="interpreter">The sandbox; by default a <see cref="JavaScriptInterpreter"/> whose <c>SUBMIT</c> maps
    /// positional values to the signature's output fields.</param>
    public ProgramOfThought(Signature signature, int maxIters = 3, ICodeInterpreter? interpreter = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        Signature = signature;
        MaxIters = maxIters;
        Interpreter = interpreter ?? new JavaScriptInterpreter(outputFields: signature.OutputFields.Select(f => f.Name));
        CodeGenerate = new ChainOfThought(StageSignature("generate"));
        CodeRegenerate = new ChainOfThought(StageSignature("regenerate"));
        GenerateAnswer = new ChainOfThought(StageSignature("answer"));
    }

    /// <summary>The task signature.</summary>
    public Signature Signature { get; }

    /// <summary>The number of code attempts before <see cref="ProgramOfThoughtError"/>.</summary>
    public int MaxIters { get; set; }

    /// <summary>The sandbox the generated code runs in.</summary>
    public ICodeInterpreter Interpreter { get; }

    /// <summary>Writes the first program (path <c>code_generate.predict</c>).</summary>
    public ChainOfThought CodeGenerate { get; private set; }

    /// <summary>Rewrites a failed program (path <c>code_regenerate.predict</c>).</summary>
    public ChainOfThought CodeRegenerate { get; private set; }

    /// <summary>Answers from the final program and its output (path <c>generate_answer.predict</c>).</summary>
    public ChainOfThought GenerateAnswer { get; private set; }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var stageInputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in Signature.InputFields) stageInputs[field.Name] = inputs.TryGetValue(field.Name, out var v) ? v : null;

        var codeData = await CodeGenerate.CallAsync(stageInputs, cancellationToken).ConfigureAwait(false);
        string? output = null;
        var (code, error) = ParseCode(codeData);
        if (error is null) (output, error) = await ExecuteCodeAsync(code, cancellationToken).ConfigureAwait(false);

        var hop = 1;
        while (error is not null)
        {
            Log.LogError("Error in code execution: {Error}", error);
            if (hop >= MaxIters) throw new ProgramOfThoughtError($"Max hops reached. Failed to run ProgramOfThought: {error}");
            stageInputs["previous_code"] = code;
            stageInputs["error"] = error;
            codeData = await CodeRegenerate.CallAsync(stageInputs, cancellationToken).ConfigureAwait(false);
            (code, error) = ParseCode(codeData);
            if (error is null) (output, error) = await ExecuteCodeAsync(code, cancellationToken).ConfigureAwait(false);
            hop++;
        }

        stageInputs.Remove("previous_code");
        stageInputs.Remove("error");
        stageInputs["final_generated_code"] = code;
        stageInputs["code_output"] = output;
        return await GenerateAnswer.CallAsync(stageInputs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Extracts the program from a <c>generated_code</c> output: the text before any <c>---</c> or triple newline, then
    /// the body of a <c>```javascript</c> (or <c>```js</c>, or bare <c>```</c>) fence when there is one. When the last
    /// line is an assignment, its variable is appended so the program's completion value is that variable (DSPy does
    /// the same for Python). Returns the code and an error text, or null.
    /// </summary>
    internal static (string Code, string? Error) ParseCode(Prediction codeData)
    {
        var raw = codeData.TryGetValue("generated_code", out var g) && g is not null ? g as string ?? PythonRepr.Str(g) : "";
        var code = raw.Split("---", 2)[0].Split("\n\n\n", 2)[0];
        var match = FenceRegex().Match(code);
        var block = match.Success ? match.Groups[1].Value : code;
        if (string.IsNullOrWhiteSpace(block)) return (code, "Error: Empty code after parsing.");
        var lines = block.Split('\n');
        var last = AssignmentRegex().Match(lines[^1].Trim());
        if (last.Success && lines.Length > 1) block += "\n" + last.Groups[1].Value + ";";
        return (block, null);
    }

    private Task<(string? Output, string? Error)> ExecuteCodeAsync(string code, CancellationToken cancellationToken) =>
        ExecuteCodeAsync(Interpreter, code, cancellationToken);

    /// <summary>DSPy's <c>_execute_code</c>: the program's result as JSON, or the error text (cancellation propagates).</summary>
    internal static async Task<(string? Output, string? Error)> ExecuteCodeAsync(ICodeInterpreter interpreter, string code,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(code)) return (null, "Error: Empty code before execution.");
        try
        {
            var result = await interpreter.ExecuteAsync(code, null, cancellationToken).ConfigureAwait(false);
            // DSPy json.dumps the result whatever its shape; PythonJson renders it the same way.
            return (PythonJson.Dumps(result.Result), null);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return (null, ex.Message);
        }
    }

    private Signature StageSignature(string mode)
    {
        var fields = new List<Field>(Signature.InputFields);
        switch (mode)
        {
            case "generate":
                fields.Add(Field.Output("generated_code", TypeSpec.Str, CodeDescription, "Code:"));
                break;
            case "regenerate":
                fields.Add(Field.Input("previous_code", TypeSpec.Str, "previously-generated JavaScript code that errored", "Previous Code:"));
                fields.Add(Field.Input("error", TypeSpec.Str, "error message from previously-generated JavaScript code", "Error:"));
                fields.Add(Field.Output("generated_code", TypeSpec.Str, CodeDescription, "Code:"));
                break;
            default:
                fields.Add(Field.Input("final_generated_code", TypeSpec.Str, CodeDescription, "Code:"));
                fields.Add(Field.Input("code_output", TypeSpec.Str, "output of previously-generated JavaScript code", "Code Output:"));
                fields.AddRange(Signature.OutputFields);
                break;
        }
        return new Signature(fields, Instruction(mode, fields));
    }

    private string Instruction(string mode, List<Field> fields)
    {
        static string Names(IEnumerable<Field> fs) => string.Join(", ", fs.Select(f => $"`{f.Name}`"));
        var modeInputs = Names(fields.Where(f => f.IsInput));
        var modeOutputs = Names(fields.Where(f => !f.IsInput));
        var finalOutputs = Names(Signature.OutputFields);
        string[] lines = mode switch
        {
            "generate" =>
            [
                $"You will be given {modeInputs} and you will respond with {modeOutputs}.",
                $"Generating executable JavaScript code that programmatically computes the correct {modeOutputs}.",
                "After you're done with the computation and think you have the final output, make sure to submit your output by calling the preloaded function `SUBMIT()`.",
                $"You must structure your output in an object, like {{\"field_a\": value_a, ...}}, with the correct value mapping for the field(s): {finalOutputs}.",
            ],
            "regenerate" =>
            [
                $"You are given {modeInputs} due to an error in previous code.",
                "Your task is to correct the error and provide the new `generated_code`.",
            ],
            _ => [$"Given the final code {modeInputs}, provide the final {modeOutputs}."],
        };
        return string.Join("\n", lines);
    }

    [GeneratedRegex(@"```(?:javascript|js)?[ \n](.*?)[ \n]```", RegexOptions.Singleline)]
    private static partial Regex FenceRegex();

    [GeneratedRegex(@"^(?:(?:let|const|var)\s+)?([A-Za-z_$][\w$]*)\s*=(?!=)")]
    private static partial Regex AssignmentRegex();
}
