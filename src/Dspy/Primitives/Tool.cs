using System.ComponentModel;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Tool</c>: a function the LM may call (ReAct, native tool calling). It knows its name, description
/// and one JSON schema per argument (<see cref="Args"/>), validates and converts arguments, and invokes the function.
/// Wraps a delegate, a <see cref="MethodInfo"/> or a Microsoft.Extensions.AI <see cref="AIFunction"/>.
/// </summary>
public sealed class Tool : IPythonRepresentable
{
    private readonly MethodInfo? _method;
    private readonly object? _target;
    private readonly AIFunction? _function;
    private readonly Dictionary<string, object?> _args;

    /// <summary>Wraps a delegate. A lambda has no usable method name, so it needs <paramref name="name"/>.</summary>
    /// <param name="function">The function; it may be sync or return <see cref="Task"/>/<see cref="ValueTask"/>.</param>
    /// <param name="name">The tool name; defaults to the method name.</param>
    /// <param name="desc">The description; defaults to the method's <see cref="DescriptionAttribute"/>.</param>
    /// <param name="args">Argument schemas (name to JSON schema dictionary); inferred from the parameters when null.</param>
    /// <param name="argTypes">Argument CLR types; inferred from the parameters when null.</param>
    /// <param name="argDesc">Descriptions added to the inferred argument schemas as <c>"description"</c>.</param>
    public Tool(Delegate function, string? name = null, string? desc = null, IReadOnlyDictionary<string, object?>? args = null,
        IReadOnlyDictionary<string, Type>? argTypes = null, IReadOnlyDictionary<string, string>? argDesc = null)
        : this(ArgumentNullExceptionHelper(function).Method, function.Target, name, desc, args, argTypes, argDesc)
    {
    }

    /// <summary>Wraps a method (static when <paramref name="target"/> is null). Parameters as for the delegate constructor.</summary>
    public Tool(MethodInfo method, object? target, string? name = null, string? desc = null, IReadOnlyDictionary<string, object?>? args = null,
        IReadOnlyDictionary<string, Type>? argTypes = null, IReadOnlyDictionary<string, string>? argDesc = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        _method = method;
        _target = target;
        if (name is null && (method.Name.Contains('<', StringComparison.Ordinal) || method.Name.Contains('>', StringComparison.Ordinal)))
        {
            throw new ArgumentException("A tool made from a lambda or local function needs an explicit name.", nameof(name));
        }
        Name = name ?? method.Name;
        Desc = desc ?? method.GetCustomAttribute<DescriptionAttribute>()?.Description;
        var parameters = method.GetParameters().Where(IsModelParameter).ToList();
        _args = args is not null ? CopyArgs(args) : ToolSchemas.FromMethod(method, argDesc);
        ArgTypes = argTypes ?? parameters.ToDictionary(p => p.Name!, p => p.ParameterType, StringComparer.Ordinal);
        ArgDesc = argDesc;
    }

    /// <summary>Wraps a Microsoft.Extensions.AI function; its JSON schema gives the argument schemas.</summary>
    public Tool(AIFunction function, string? name = null, string? desc = null, IReadOnlyDictionary<string, object?>? args = null,
        IReadOnlyDictionary<string, string>? argDesc = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        _function = function;
        Name = name ?? function.Name;
        Desc = desc ?? (string.IsNullOrEmpty(function.Description) ? null : function.Description);
        _args = args is not null ? CopyArgs(args) : ToolSchemas.FromFunctionSchema(function.JsonSchema, argDesc);
        ArgTypes = new Dictionary<string, Type>(StringComparer.Ordinal);
        ArgDesc = argDesc;
    }

    /// <summary>The tool name the LM uses.</summary>
    public string Name { get; }

    /// <summary>The description, or null.</summary>
    public string? Desc { get; }

    /// <summary>Argument name to JSON schema (value-model dictionaries), in parameter order, <c>$ref</c>s resolved, defaults as <c>"default"</c>.</summary>
    public IReadOnlyDictionary<string, object?> Args => _args;

    /// <summary>Argument name to CLR type (empty for a wrapped <see cref="AIFunction"/>, whose arguments bind themselves).</summary>
    public IReadOnlyDictionary<string, Type> ArgTypes { get; }

    /// <summary>The argument descriptions given at construction, if any.</summary>
    public IReadOnlyDictionary<string, string>? ArgDesc { get; }

    /// <summary>
    /// DSPy's <c>acall(**kwargs)</c>: rejects unknown arguments, validates each value against its schema, converts it
    /// to the parameter type and invokes the function, awaiting a <see cref="Task"/> or <see cref="ValueTask"/> result.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is unknown (<c>Arg x is not in the tool's args.</c>), invalid, or missing.</exception>
    /// <remarks>
    /// Every tool call (ReAct's, native tool calling's, a direct one) goes through here, so this is where the tool
    /// callbacks (<see cref="IDspyCallback.OnToolStart"/>/<see cref="IDspyCallback.OnToolEnd"/>, inputs = the arguments)
    /// run and where the <c>tool {name}</c> span on <see cref="DspyTelemetry.Source"/> is recorded, with error status when
    /// the call throws.
    /// </remarks>
    public async Task<object?> CallAsync(IReadOnlyDictionary<string, object?> kwargs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        using var activity = DspyTelemetry.StartTool(this);
        try
        {
            return await DspyCallbacks.RunAsync(CallbackKind.Tool, this, null, kwargs, () => InvokeAsync(kwargs, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            DspyTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private async Task<object?> InvokeAsync(IReadOnlyDictionary<string, object?> kwargs, CancellationToken cancellationToken)
    {
        foreach (var (key, value) in kwargs)
        {
            if (!_args.TryGetValue(key, out var schema)) throw new ArgumentException($"Arg {key} is not in the tool's args.");
            // DSPy validates only schemas with a "type" (not anyOf unions) and skips Any.
            if (schema is Dictionary<string, object?> s && s.TryGetValue("type", out var type) && type is not null && !Equals(type, "Any"))
            {
                var error = ToolArgumentValidator.Validate(ValueModel.FromClr(value), s);
                if (error is not null) throw new ArgumentException($"Arg {key} is invalid: {error}");
            }
        }

        object? result;
        if (_function is not null)
        {
            result = await _function.InvokeAsync(new AIFunctionArguments(kwargs.ToDictionary(kv => kv.Key, kv => kv.Value)), cancellationToken)
                .ConfigureAwait(false);
            return result is JsonElement je ? ValueModel.FromJson(je) : result;
        }

        var parameters = _method!.GetParameters();
        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.ParameterType == typeof(CancellationToken)) values[i] = cancellationToken;
            else if (kwargs.TryGetValue(p.Name!, out var v)) values[i] = Convert(v, p);
            else if (p.HasDefaultValue) values[i] = p.DefaultValue;
            else throw new ArgumentException($"{Name}() missing 1 required positional argument: '{p.Name}'");
        }
        result = _method.Invoke(_target, BindingFlags.DoNotWrapExceptions, null, values, null);
        return await AwaitResult(result).ConfigureAwait(false);
    }

    /// <summary>
    /// DSPy's synchronous <c>__call__</c>, for tools whose function is synchronous. Arguments are checked and converted
    /// as in <see cref="CallAsync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The function is asynchronous (returns a task) or is an <see cref="AIFunction"/>.</exception>
    public object? Call(IReadOnlyDictionary<string, object?> kwargs)
    {
        if (IsAsync)
        {
            // Checked before invoking so that no asynchronous work is started and then abandoned.
            throw new InvalidOperationException($"You are calling Call on the async tool {Name}, please use CallAsync instead.");
        }
        var task = CallAsync(kwargs, CancellationToken.None);
        // A synchronous function has already run to completion inside CallAsync.
        return task.GetAwaiter().GetResult();
    }

    /// <summary>True if the wrapped function is asynchronous (returns a task or value task, or is an <see cref="AIFunction"/>).</summary>
    public bool IsAsync => _function is not null || IsAwaitable(_method!.ReturnType);

    private static bool IsAwaitable(Type t) =>
        typeof(Task).IsAssignableFrom(t) || t == typeof(ValueTask) || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>));

    /// <summary>DSPy's <c>format()</c>: the same text as <see cref="ToString"/>, which prompts list tools with.</summary>
    public string Format() => ToString();

    /// <summary>
    /// DSPy's <c>format_as_litellm_function_call()</c>: the OpenAI tool dictionary
    /// <c>{"type": "function", "function": {"name", "description", "parameters": {"type": "object", "properties", "required"}}}</c>,
    /// where <c>required</c> lists the arguments without a default. This is the shape of the LM <c>tools</c> kwarg.
    /// </summary>
    public Dictionary<string, object?> FormatAsFunctionCall() => new(StringComparer.Ordinal)
    {
        ["type"] = "function",
        ["function"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = Name,
            ["description"] = Desc,
            ["parameters"] = ParametersSchema(),
        },
    };

    /// <summary>The JSON schema of all parameters: <c>{"type": "object", "properties": ..., "required": [...]}</c>.</summary>
    public Dictionary<string, object?> ParametersSchema() => new(StringComparer.Ordinal)
    {
        ["type"] = "object",
        ["properties"] = ValueModel.FromClr(_args),
        ["required"] = _args.Where(kv => kv.Value is not Dictionary<string, object?> d || !d.ContainsKey("default"))
            .Select(kv => (object?)kv.Key).ToList(),
    };

    /// <summary>An <see cref="AIFunction"/> that presents this tool (name, description, schema) and calls it, for native tool calling.</summary>
    public AIFunction AsAIFunction() => new ToolAIFunction(this);

    /// <summary><c>"{name}, whose description is &lt;desc&gt;{desc}&lt;/desc&gt;. It takes arguments {args}."</c> with Python's repr of the args.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Name);
        // DSPy replaces newlines in the description part by two spaces.
        sb.Append(string.IsNullOrEmpty(Desc) ? "." : $", whose description is <desc>{Desc}</desc>.".Replace("\n", "  ", StringComparison.Ordinal));
        sb.Append(" It takes arguments ").Append(PythonRepr.Repr(_args)).Append('.');
        return sb.ToString();
    }

    /// <inheritdoc/>
    public string ToPythonRepr() => $"Tool(name={Name}, desc={PythonRepr.Str(Desc)}, args={PythonRepr.Repr(_args)})";

    internal static bool IsModelParameter(ParameterInfo p) =>
        p.ParameterType != typeof(CancellationToken) && p.ParameterType != typeof(AIFunctionArguments) && p.ParameterType != typeof(IServiceProvider);

    private static Delegate ArgumentNullExceptionHelper(Delegate function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return function;
    }

    private static Dictionary<string, object?> CopyArgs(IReadOnlyDictionary<string, object?> args) =>
        args.ToDictionary(kv => kv.Key, kv => ValueModel.FromClr(kv.Value), StringComparer.Ordinal);

    private object? Convert(object? value, ParameterInfo p)
    {
        try
        {
            return ValueConversion.To(value, p.ParameterType);
        }
        catch (InvalidCastException ex)
        {
            throw new ArgumentException($"Arg {p.Name} of {Name} cannot be converted: {ex.Message}", ex);
        }
    }

    private static async Task<object?> AwaitResult(object? result)
    {
        switch (result)
        {
            case null: return null;
            case Task task:
                await task.ConfigureAwait(false);
                var type = task.GetType();
                // Task<T> exposes Result; a plain Task (or the runtime's VoidTaskResult) has nothing to return.
                return type.IsGenericType && type.GetProperty("Result") is { } prop && prop.PropertyType.Name != "VoidTaskResult"
                    ? prop.GetValue(task)
                    : null;
            case ValueTask vt:
                await vt.ConfigureAwait(false);
                return null;
        }
        var t = result.GetType();
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var asTask = (Task)t.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!;
            return await AwaitResult(asTask).ConfigureAwait(false);
        }
        return result;
    }
}
