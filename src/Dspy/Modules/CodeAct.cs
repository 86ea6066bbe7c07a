using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.CodeAct</c>: <see cref="ReAct"/> with code as the action. Each turn <see cref="CodeActPredictor"/> sees the
/// inputs and the trajectory and writes a program (<c>generated_code</c>) plus a <c>finished</c> flag; the program runs in
/// the sandbox, where the tools are callable functions, and its output (or the error) joins the trajectory. After a
/// finished turn or <see cref="MaxIters"/> turns, <see cref="Extractor"/> (a <see cref="ChainOfThought"/> over inputs +
/// trajectory → outputs) produces the outputs. The result holds <c>trajectory</c> followed by the extractor's fields.
/// </summary>
/// <remarks>
/// Unlike DSPy (Python in Deno + Pyodide, tools re-declared in the sandbox from their Python source), programs are
/// JavaScript run by <see cref="JavaScriptInterpreter"/> and tools are host functions the sandbox calls through
/// <see cref="Tool.CallAsync"/>, so any <see cref="Tool"/> works, not only plain functions. A custom
/// <see cref="ICodeInterpreter"/> must expose the tools itself. A call may pass <c>max_iters</c> among its inputs.
/// </remarks>
public class CodeAct : Module
{
    private const int TruncationAttempts = 3;
    private const int KeysPerTruncation = 4;

    private static ILogger Log => DspyLogging.CreateLogger(typeof(CodeAct));

    private readonly OrderedDictionary<string, Tool> _tools = new(StringComparer.Ordinal);

    /// <summary>Creates the agent.</summary>
    /// <param name="signature">The task.</param>
    /// <param name="tools">Tools (or delegates / <see cref="AIFunction"/>s, wrapped as tools) callable from the programs.</param>
    /// <param name="maxIters">The maximum number of turns (DSPy's default 5).</param>
    /// <param name="interpreter">The sandbox; by default a <see cref="JavaScriptInterpreter"/> exposing <paramref name="tools"/>.</param>
    public CodeAct(Signature signature, IEnumerable<object> tools, int maxIters = 5, ICodeInterpreter? interpreter = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(tools);
        Signature = signature;
        MaxIters = maxIters;
        foreach (var t in tools)
        {
            var tool = t switch
            {
                Tool x => x,
                AIFunction f => new Tool(f),
                Delegate d => new Tool(d),
                _ => throw new ArgumentException($"A tool must be a Tool, a delegate or an AIFunction, not {t?.GetType().Name ?? "null"}."),
            };
            _tools[tool.Name] = tool;
        }

        var codeActSignature = new Signature(
            [
                .. signature.InputFields,
                Field.Input("trajectory", TypeSpec.Str),
                Field.Output("generated_code", TypeSpec.Str, "JavaScript code that when executed, produces output relevant to answering the question"),
                Field.Output("finished", TypeSpec.Bool, "a boolean flag to determine if the process is done"),
            ],
            BuildInstructions());
        var extractSignature = new Signature(
            [.. signature.InputFields, .. signature.OutputFields, Field.Input("trajectory", TypeSpec.Str)],
            signature.Instructions);

        CodeActPredictor = new Predict(codeActSignature);
        Extractor = new ChainOfThought(extractSignature);
        Interpreter = interpreter ?? new JavaScriptInterpreter(_tools.Values);
    }

    /// <summary>The task signature.</summary>
    public Signature Signature { get; }

    /// <summary>The default maximum number of turns.</summary>
    public int MaxIters { get; set; }

    /// <summary>The tools by name.</summary>
    public IReadOnlyDictionary<string, Tool> Tools => _tools;

    /// <summary>The sandbox the programs run in.</summary>
    public ICodeInterpreter Interpreter { get; }

    /// <summary>The per-turn predictor (path <c>codeact</c>).</summary>
    [DspyName("codeact")]
    public Predict CodeActPredictor { get; private set; }

    /// <summary>The final extractor (path <c>extractor.predict</c>).</summary>
    public ChainOfThought Extractor { get; private set; }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var inputArgs = new Dictionary<string, object?>(inputs, StringComparer.Ordinal);
        var maxIters = MaxIters;
        if (inputArgs.Remove(ReAct.MaxItersKey, out var mi) && mi is not null)
        {
            maxIters = Convert.ToInt32(mi, System.Globalization.CultureInfo.InvariantCulture);
        }

        var trajectory = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        for (var idx = 0; idx < maxIters; idx++)
        {
            // DSPy hands the trajectory dictionary itself to the per-turn predictor; the adapter renders it.
            var turnInputs = new Dictionary<string, object?>(inputArgs, StringComparer.Ordinal) { ["trajectory"] = ToPlainDictionary(trajectory) };
            var codeData = await CodeActPredictor.CallAsync(turnInputs, cancellationToken).ConfigureAwait(false);
            var (code, error) = ProgramOfThought.ParseCode(codeData);
            if (error is not null)
            {
                trajectory[$"observation_{idx}"] = $"Failed to parse the generated code: {error}";
                continue;
            }

            trajectory[$"generated_code_{idx}"] = code;
            var (output, execError) = await ProgramOfThought.ExecuteCodeAsync(Interpreter, code, cancellationToken).ConfigureAwait(false);
            if (execError is null) trajectory[$"code_output_{idx}"] = output;
            else trajectory[$"observation_{idx}"] = $"Failed to execute the generated code: {execError}";

            if (codeData.TryGetValue("finished", out var finished) && finished is true) break;
        }

        var extract = await ExtractAsync(trajectory, inputArgs, cancellationToken).ConfigureAwait(false);
        return new Prediction([new("trajectory", ToPlainDictionary(trajectory)), .. extract.Items()]) { LmUsage = extract.LmUsage };
    }

    private string BuildInstructions()
    {
        var inputs = string.Join(", ", Signature.InputFields.Select(f => $"`{f.Name}`"));
        var outputs = string.Join(", ", Signature.OutputFields.Select(f => $"`{f.Name}`"));
        var lines = new List<string>();
        if (!string.IsNullOrEmpty(Signature.Instructions)) lines.Add($"{Signature.Instructions}\n");
        lines.Add(
            $"You are an intelligent agent. For each episode, you will receive the fields {inputs} as input.\n"
            + $"Your goal is to generate executable JavaScript code that collects any necessary information for producing {outputs}.\n"
            + "For each iteration, you will generate a code snippet that either solves the task or progresses towards the solution.\n"
            + "Ensure any output you wish to extract from the code is printed to the console. The code should be enclosed in a fenced code block.\n"
            + $"When all information for producing the outputs ({outputs}) are available to be extracted, mark `finished=True` besides the final JavaScript code.\n"
            + "You have access to the JavaScript standard built-in objects and the following functions:");
        var i = 0;
        foreach (var tool in _tools.Values) lines.Add($"({++i}) {tool}");
        return string.Join("\n", lines);
    }

    // ReAct's _call_with_potential_trajectory_truncation, which DSPy's CodeAct inherits (it drops 4 keys at a time).
    private async Task<Prediction> ExtractAsync(OrderedDictionary<string, object?> trajectory, Dictionary<string, object?> inputArgs,
        CancellationToken cancellationToken)
    {
        ContextWindowExceededError? last = null;
        for (var attempt = 0; attempt < TruncationAttempts; attempt++)
        {
            var callInputs = new Dictionary<string, object?>(inputArgs, StringComparer.Ordinal) { ["trajectory"] = ReAct.FormatTrajectory(trajectory) };
            try
            {
                return await Extractor.CallAsync(callInputs, cancellationToken).ConfigureAwait(false);
            }
            catch (ContextWindowExceededError ex)
            {
                Log.LogWarning("Trajectory exceeded the context window, truncating the oldest tool call information.");
                last = ex;
                if (trajectory.Count < KeysPerTruncation)
                {
                    throw new TrajectoryTruncationException(
                        "The trajectory is too long so your prompt exceeded the context window, but the trajectory cannot be "
                        + "truncated because it only has one tool call.");
                }
                for (var i = 0; i < KeysPerTruncation; i++) trajectory.RemoveAt(0);
            }
        }
        throw last!;
    }

    private static Dictionary<string, object?> ToPlainDictionary(OrderedDictionary<string, object?> trajectory)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in trajectory) d[k] = v;
        return d;
    }
}
