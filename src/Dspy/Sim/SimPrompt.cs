namespace Dspy;

/// <summary>Which prompt format the simulator recognised, and therefore which format it answers in.</summary>
internal enum SimFormat
{
    /// <summary>ChatAdapter: <c>[[ ## field ## ]]</c> markers and <c>[[ ## completed ## ]]</c>.</summary>
    Chat,

    /// <summary>JSONAdapter: a JSON object.</summary>
    Json,

    /// <summary>XMLAdapter: <c>&lt;field&gt;</c> tags.</summary>
    Xml,

    /// <summary>TwoStepAdapter's first call: free text with <c>name: value</c> lines.</summary>
    TwoStep,

    /// <summary>GEPA's reflection prompt: a new instruction inside a ``` fence.</summary>
    Reflection,

    /// <summary>Anything else: plain text.</summary>
    Plain,
}

/// <summary>The value shape of a field, read from its type name and the note in the prompt.</summary>
internal enum SimValueKind
{
    Str,
    Int,
    Float,
    Bool,
    Choice,
    List,
    Object,
}

/// <summary>One field as the prompt describes it.</summary>
internal sealed record SimField(string Name, string TypeName, SimValueKind Kind, IReadOnlyList<string> Choices, string? JsonSchema)
{
    /// <summary>True for ChainOfThought's reasoning field (and the older <c>rationale</c>).</summary>
    public bool IsReasoning => Kind == SimValueKind.Str && Name is "reasoning" or "rationale";
}

/// <summary>A demo (or history turn) as a pair of input and output texts.</summary>
internal sealed record SimDemo(IReadOnlyDictionary<string, string> Inputs, IReadOnlyDictionary<string, string> Outputs);

/// <summary>Everything the simulator reads from one request.</summary>
internal sealed record SimPrompt(
    SimFormat Format,
    IReadOnlyList<SimField> InputFields,
    IReadOnlyList<SimField> OutputFields,
    string Instructions,
    IReadOnlyList<SimDemo> Demos,
    IReadOnlyDictionary<string, string> Inputs,
    string RawLastUser);
