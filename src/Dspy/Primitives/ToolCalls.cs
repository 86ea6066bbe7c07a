using System.Text.Json.Serialization;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.ToolCalls</c>: the tool calls an LM asked for, as an output field (or in history). Accepts
/// <c>{"tool_calls": [...]}</c>, a bare list of calls, a single <c>{"name", "args"}</c>, and the OpenAI
/// <c>{"function": {"name", "arguments": "&lt;json&gt;"}}</c> shape (arguments repaired leniently).
/// </summary>
[JsonConverter(typeof(DspyTypeJsonConverter<ToolCalls>))]
public sealed class ToolCalls : IDspyType, IPythonRepresentable, IEquatable<ToolCalls>
{
    /// <summary>DSPy's type description of ToolCalls.</summary>
    public const string TypeDescription =
        "Tool calls must be a JSON object with `tool_calls`, a list of calls. Each call must include `name` and `args`. "
        + "Example: {\"tool_calls\": [{\"name\": \"search\", \"args\": {\"query\": \"cats\"}}]}";

    /// <summary>Creates tool calls.</summary>
    public ToolCalls(IEnumerable<ToolCall> toolCalls)
    {
        ArgumentNullException.ThrowIfNull(toolCalls);
        Calls = toolCalls.ToList();
    }

    /// <summary>The calls, in order (DSPy's <c>tool_calls</c>).</summary>
    public IReadOnlyList<ToolCall> Calls { get; }

    /// <summary>DSPy's <c>ToolCalls.from_dict_list</c>: each dictionary has <c>name</c> and <c>args</c> (or a provider shape).</summary>
    public static ToolCalls FromDictList(IEnumerable<IReadOnlyDictionary<string, object?>> toolCalls)
    {
        ArgumentNullException.ThrowIfNull(toolCalls);
        return new ToolCalls(toolCalls.Select(d => ToolCall.FromDict(d.ToDictionary(kv => kv.Key, kv => kv.Value))));
    }

    /// <summary>Builds tool calls from an LM's native tool calls.</summary>
    public static ToolCalls FromLMToolCalls(IEnumerable<LMToolCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return new ToolCalls(calls.Select(c => new ToolCall(c.Name, c.Args.ToDictionary(kv => kv.Key, kv => kv.Value), c.Id)));
    }

    /// <summary>DSPy's <c>format()</c>: <c>{"tool_calls": [{"name", "args"}]}</c>, ids left out.</summary>
    public object Format() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["tool_calls"] = Calls.Select(c => (object?)c.Format()).ToList(),
    };

    /// <summary>Parses every shape DSPy's validator accepts.</summary>
    /// <exception cref="ArgumentException">The value is not a tool-call shape.</exception>
    public static ToolCalls Validate(object? value)
    {
        switch (value)
        {
            case ToolCalls t:
                return t;
            case IList<object?> list when list.All(i => i is IDictionary<string, object?> d && ToolCall.IsToolCallDict(d)):
                return new ToolCalls(list.Select(i => ToolCall.FromDict((IDictionary<string, object?>)i!)));
            case IDictionary<string, object?> d when d.TryGetValue("tool_calls", out var calls):
                if (calls is IList<object?> items)
                {
                    return new ToolCalls(items.Select(i => i switch
                    {
                        ToolCall tc => tc,
                        IDictionary<string, object?> id => ToolCall.FromDict(id),
                        _ => throw new ArgumentException($"Received invalid tool call value for `dspy.ToolCalls`: {PythonRepr.Str(i)}"),
                    }));
                }
                break;
            case IDictionary<string, object?> d when ToolCall.IsToolCallDict(d):
                return new ToolCalls([ToolCall.FromDict(d)]);
        }
        throw new ArgumentException($"Received invalid value for `dspy.ToolCalls`: {PythonRepr.Str(value)}");
    }

    /// <summary>pydantic-style repr.</summary>
    public string ToPythonRepr() => "ToolCalls(tool_calls=[" + string.Join(", ", Calls.Select(c => c.ToPythonRepr())) + "], tool_call_results=None)";

    /// <inheritdoc/>
    public override string ToString() => PythonJson.Dumps(Format());

    /// <inheritdoc/>
    public bool Equals(ToolCalls? other) => other is not null && other.Calls.SequenceEqual(Calls);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ToolCalls);

    /// <inheritdoc/>
    public override int GetHashCode() => Calls.Count == 0 ? 0 : Calls[0].GetHashCode();
}

/// <summary>One tool call: the tool's name, its arguments, and the provider's call id when there is one.</summary>
public sealed class ToolCall : IPythonRepresentable, IEquatable<ToolCall>
{
    /// <summary>Creates a tool call.</summary>
    public ToolCall(string name, IReadOnlyDictionary<string, object?>? args = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Args = args is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : args.ToDictionary(kv => kv.Key, kv => ValueModel.FromClr(kv.Value), StringComparer.Ordinal);
        Id = id;
    }

    /// <summary>The tool's name.</summary>
    public string Name { get; }

    /// <summary>The arguments, in the value model.</summary>
    public IReadOnlyDictionary<string, object?> Args { get; }

    /// <summary>The provider's call id, if any.</summary>
    public string? Id { get; }

    /// <summary>DSPy's <c>ToolCall.format()</c>: <c>{"name", "args"}</c>.</summary>
    public Dictionary<string, object?> Format() => new(StringComparer.Ordinal)
    {
        ["name"] = Name,
        ["args"] = Args.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
    };

    /// <summary>True for a dictionary DSPy treats as a tool call (<c>name</c> plus <c>args</c>/<c>arguments</c>, or <c>function</c>).</summary>
    public static bool IsToolCallDict(IDictionary<string, object?> d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return (d.ContainsKey("name") && (d.ContainsKey("args") || d.ContainsKey("arguments"))) || d.ContainsKey("function");
    }

    /// <summary>Normalises DSPy and provider shapes: <c>{"name", "args"}</c>, <c>{"name", "arguments"}</c> or <c>{"function": {...}}</c>; string arguments are repaired.</summary>
    public static ToolCall FromDict(IDictionary<string, object?> d)
    {
        ArgumentNullException.ThrowIfNull(d);
        object? arguments;
        object? name;
        if (d.TryGetValue("function", out var function))
        {
            var f = function as IDictionary<string, object?> ?? (function is null ? new Dictionary<string, object?>()
                : throw new ArgumentException($"Received invalid function value for `dspy.ToolCalls`: {PythonRepr.Str(function)}"));
            arguments = f.TryGetValue("arguments", out var a) ? a : new Dictionary<string, object?>();
            name = f.TryGetValue("name", out var n) && n is string { Length: > 0 } ? n : d.TryGetValue("name", out var dn) ? dn : null;
        }
        else
        {
            arguments = d.TryGetValue("args", out var a) ? a : d.TryGetValue("arguments", out var b) ? b : new Dictionary<string, object?>();
            name = d.TryGetValue("name", out var n) ? n : null;
        }
        var args = arguments switch
        {
            string s => JsonRepair.Loads(s) as Dictionary<string, object?> ?? new Dictionary<string, object?>(),
            IDictionary<string, object?> m => m.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            _ => new Dictionary<string, object?>(),
        };
        var id = (d.TryGetValue("id", out var i) && i is string { Length: > 0 } ids ? ids : null)
                 ?? (d.TryGetValue("call_id", out var ci) && ci is string cis ? cis : null);
        if (name is not string nameText) throw new ArgumentException("Input should be a valid string: tool call `name` is missing.");
        return new ToolCall(nameText, args, id);
    }

    /// <summary>pydantic-style repr.</summary>
    public string ToPythonRepr() => $"ToolCall(id={PythonRepr.Repr(Id)}, name={PythonRepr.Repr(Name)}, args={PythonRepr.Repr(Args.ToDictionary(kv => kv.Key, kv => kv.Value))})";

    /// <inheritdoc/>
    public bool Equals(ToolCall? other) => other is not null && other.Name == Name && other.Id == Id
        && ValueEquality.Equal(Args.ToDictionary(kv => kv.Key, kv => kv.Value), other.Args.ToDictionary(kv => kv.Key, kv => kv.Value));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ToolCall);

    /// <inheritdoc/>
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}
