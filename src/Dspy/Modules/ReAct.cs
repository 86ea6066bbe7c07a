using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.ReAct</c> ("Reasoning and Acting"): a tool-using agent loop over any signature. Each turn the
/// <see cref="React"/> predictor sees the inputs and the trajectory so far and picks <c>next_thought</c>,
/// <c>next_tool_name</c> and <c>next_tool_args</c>; the tool's result (or its error) becomes the turn's observation. The loop
/// ends when the agent picks the built-in <c>finish</c> tool or after <c>max_iters</c> turns, and then <see cref="Extract"/>
/// (a <see cref="ChainOfThought"/> over inputs + trajectory → outputs) produces the outputs. The result holds
/// <c>trajectory</c> (a dictionary with keys <c>thought_i</c>, <c>tool_name_i</c>, <c>tool_args_i</c>, <c>observation_i</c>) followed
/// by the extractor's fields.
/// </summary>
/// <remarks>
/// A call may pass <c>max_iters</c> among its inputs to override <see cref="MaxIters"/>. When the LM reports
/// <see cref="ContextWindowExceededError"/>, the call is retried up to 3 times, each time after <see cref="TruncateTrajectory"/>
/// has dropped the oldest tool call.
/// </remarks>
public class ReAct : Module
{
    /// <summary>The name of the tool that ends the loop.</summary>
    public const string FinishToolName = "finish";

    /// <summary>The input key that overrides <see cref="MaxIters"/> for one call.</summary>
    public const string MaxItersKey = "max_iters";

    private const int TruncationAttempts = 3;
    private const int KeysPerToolCall = 4;

    private static ILogger Log => DspyLogging.CreateLogger(typeof(ReAct));

    private readonly OrderedDictionary<string, Tool> _tools;

    /// <summary>
    /// Creates the agent. <paramref name="tools"/> holds <see cref="Tool"/>s, delegates (wrapped as tools; lambdas need a
    /// <see cref="Tool"/> with an explicit name) or <see cref="AIFunction"/>s. A later tool with the same name replaces an
    /// earlier one, and a user tool named <c>finish</c> is replaced by the built-in one.
    /// </summary>
    /// <param name="signature">The task: its inputs are given to every turn, its outputs are extracted at the end.</param>
    /// <param name="tools">The tools the agent may call.</param>
    /// <param name="maxIters">The maximum number of turns (DSPy's code default is 20).</param>
    public ReAct(Signature signature, IEnumerable<object> tools, int maxIters = 20)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(tools);
        Signature = signature;
        MaxIters = maxIters;

        _tools = new OrderedDictionary<string, Tool>(StringComparer.Ordinal);
        foreach (var t in tools)
        {
            var tool = AsTool(t);
            _tools[tool.Name] = tool;
        }

        var outputs = string.Join(", ", signature.OutputFields.Select(f => $"`{f.Name}`"));
        _tools[FinishToolName] = new Tool(
            (Func<string>)(() => "Completed."),
            name: FinishToolName,
            desc: $"Marks the task as complete. That is, signals that all information for producing the outputs, i.e. {outputs}, are now available to be extracted.",
            args: new Dictionary<string, object?>(StringComparer.Ordinal));

        var reactSignature = new Signature(
            [
                .. signature.InputFields,
                Field.Input("trajectory", TypeSpec.Str),
                Field.Output("next_thought", TypeSpec.Str),
                Field.Output("next_tool_name", TypeSpec.LiteralOf([.. _tools.Keys])),
                Field.Output("next_tool_args", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.AnyType)),
            ],
            ReActInstructions.Build(signature, _tools.Values));

        var extractSignature = new Signature(
            [.. signature.InputFields, .. signature.OutputFields, Field.Input("trajectory", TypeSpec.Str)],
            signature.Instructions);

        React = new Predict(reactSignature);
        Extract = new ChainOfThought(extractSignature);
    }

    /// <summary>The task signature.</summary>
    public Signature Signature { get; }

    /// <summary>The default maximum number of turns.</summary>
    public int MaxIters { get; set; }

    /// <summary>The tools by name, in order, ending with <c>finish</c> (unless a user tool took that position).</summary>
    public IReadOnlyDictionary<string, Tool> Tools => _tools;

    /// <summary>The per-turn predictor (path <c>react</c>).</summary>
    public Predict React { get; private set; }

    /// <summary>The final extractor (path <c>extract.predict</c>).</summary>
    public ChainOfThought Extract { get; private set; }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var inputArgs = new Dictionary<string, object?>(inputs, StringComparer.Ordinal);
        var maxIters = MaxIters;
        if (inputArgs.Remove(MaxItersKey, out var mi) && mi is not null)
        {
            maxIters = Convert.ToInt32(mi, System.Globalization.CultureInfo.InvariantCulture);
        }

        var trajectory = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        for (var idx = 0; idx < maxIters; idx++)
        {
            Prediction pred;
            try
            {
                pred = await CallWithPotentialTrajectoryTruncationAsync(React, trajectory, inputArgs, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsValueError(ex))
            {
                // DSPy ends the loop on a ValueError from the turn (e.g. a trajectory that cannot be truncated further).
                Log.LogWarning("Ending the trajectory: Agent failed to select a valid tool: {Error}", FormatException(ex));
                break;
            }

            var toolName = pred.Get("next_tool_name");
            var toolArgs = pred.Get("next_tool_args");
            var name = toolName as string ?? PythonRepr.Str(toolName);
            trajectory[$"thought_{idx}"] = pred.Get("next_thought");
            trajectory[$"tool_name_{idx}"] = toolName;
            trajectory[$"tool_args_{idx}"] = toolArgs;

            try
            {
                trajectory[$"observation_{idx}"] = await CallToolAsync(name, toolArgs, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                trajectory[$"observation_{idx}"] = $"Execution error in {name}: {FormatException(ex)}";
            }

            if (name == FinishToolName) break;
        }

        var extract = await CallWithPotentialTrajectoryTruncationAsync(Extract, trajectory, inputArgs, cancellationToken).ConfigureAwait(false);
        var result = new Prediction([new("trajectory", ToPlainDictionary(trajectory)), .. extract.Items()]) { LmUsage = extract.LmUsage };
        return result;
    }

    /// <summary>
    /// DSPy's <c>truncate_trajectory</c>: removes the oldest tool call (its first 4 keys) from <paramref name="trajectory"/> in
    /// place. Override to truncate differently.
    /// </summary>
    /// <exception cref="TrajectoryTruncationException">The trajectory has fewer than 4 keys (at most one tool call).</exception>
    protected virtual void TruncateTrajectory(OrderedDictionary<string, object?> trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        if (trajectory.Count < KeysPerToolCall)
        {
            throw new TrajectoryTruncationException(
                "The trajectory is too long so your prompt exceeded the context window, but the trajectory cannot be "
                + "truncated because it only has one tool call.");
        }
        for (var i = 0; i < KeysPerToolCall; i++) trajectory.RemoveAt(0);
    }

    /// <summary>
    /// DSPy's <c>_format_trajectory</c>: the trajectory rendered as the user-message fields of a signature whose inputs are
    /// the trajectory keys, by the configured adapter (a <see cref="ChatAdapter"/> when none is configured).
    /// </summary>
    public static string FormatTrajectory(IReadOnlyDictionary<string, object?> trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var adapter = Settings.Current.Adapter ?? new ChatAdapter();
        // DSPy builds Signature("k1, k2, ... -> x"): untyped str inputs.
        var signature = new Signature([.. trajectory.Keys.Select(k => Field.Input(k) with { IsTypeUndefined = true }), Field.Output("x")]);
        return adapter.FormatUserMessageContent(signature, trajectory);
    }

    private async Task<Prediction> CallWithPotentialTrajectoryTruncationAsync(Module module, OrderedDictionary<string, object?> trajectory,
        Dictionary<string, object?> inputArgs, CancellationToken cancellationToken)
    {
        ContextWindowExceededError? last = null;
        for (var attempt = 0; attempt < TruncationAttempts; attempt++)
        {
            var callInputs = new Dictionary<string, object?>(inputArgs, StringComparer.Ordinal)
            {
                ["trajectory"] = FormatTrajectory(trajectory),
            };
            try
            {
                return await module.CallAsync(callInputs, cancellationToken).ConfigureAwait(false);
            }
            catch (ContextWindowExceededError ex)
            {
                Log.LogWarning("Trajectory exceeded the context window, truncating the oldest tool call information.");
                last = ex;
                TruncateTrajectory(trajectory);
            }
        }
        // DSPy returns None here and then fails on it; we surface the last context-window error instead.
        throw last!;
    }

    private async Task<object?> CallToolAsync(string name, object? args, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(name, out var tool)) throw new KeyNotFoundException(PythonRepr.Repr(name));
        var kwargs = args switch
        {
            null => throw new ArgumentException($"{name}() argument after ** must be a mapping, not NoneType"),
            IReadOnlyDictionary<string, object?> d => d,
            _ => StateDictionary.AsDictionary(args)
                 ?? throw new ArgumentException($"{name}() argument after ** must be a mapping, not {args.GetType().Name}"),
        };
        return await tool.CallAsync(kwargs, cancellationToken).ConfigureAwait(false);
    }

    // Python's ValueError family as the .NET library raises it.
    private static bool IsValueError(Exception ex) => ex is ArgumentException or TrajectoryTruncationException;

    /// <summary>
    /// DSPy's <c>_fmt_exc</c> gives a newline and the Python traceback; .NET frames mean nothing to the LM, so this gives a
    /// newline and the traceback's last line, <c>ExceptionType: message</c>, for the exception and each inner one.
    /// </summary>
    internal static string FormatException(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException) parts.Add($"{e.GetType().Name}: {e.Message}");
        return "\n" + string.Join("\n", parts);
    }

    private static Tool AsTool(object tool) => tool switch
    {
        Tool t => t,
        AIFunction f => new Tool(f),
        Delegate d => new Tool(d),
        null => throw new ArgumentException("A tool cannot be null."),
        _ => throw new ArgumentException($"A tool must be a Tool, a delegate or an AIFunction, not {tool.GetType().Name}."),
    };

    private static Dictionary<string, object?> ToPlainDictionary(OrderedDictionary<string, object?> trajectory)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in trajectory) d[k] = v;
        return d;
    }
}
