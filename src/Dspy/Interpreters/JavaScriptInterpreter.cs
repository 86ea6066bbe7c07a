using System.Globalization;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Dspy;

/// <summary>
/// The .NET stand-in for DSPy's <c>PythonInterpreter</c>: runs JavaScript (ECMAScript, via the embedded Jint engine) in a
/// sandbox with time, memory, statement and recursion limits and no access to the host. Python is not available to
/// .NET, so programs the LM writes for <see cref="ProgramOfThought"/> and <see cref="CodeAct"/> are JavaScript.
/// </summary>
/// <remarks>
/// <para>
/// Every execution gets its own engine, so nothing leaks between runs and a stopped program leaves no state behind.
/// The engine is created without CLR interop: there is no <c>importNamespace</c>, <c>System</c>, <c>require</c>,
/// <c>process</c>, <c>fetch</c> or file system; the only host functions are <c>print</c>, <c>console.log</c> (and
/// <c>info</c>/<c>warn</c>/<c>error</c>/<c>debug</c>), <c>SUBMIT</c> and the configured <see cref="Tools"/>.
/// </para>
/// <para>
/// <c>SUBMIT(...)</c> ends the program with its final outputs (DSPy's <c>FinalOutput</c>): <c>SUBMIT({answer: 42})</c>
/// submits a dictionary; with <see cref="OutputFields"/> set, <c>SUBMIT(42)</c> or <c>SUBMIT(a, b)</c> map positional
/// values to those fields. A <c>try</c>/<c>catch</c> in the program cannot intercept it.
/// </para>
/// <para>
/// Limits are checked by the engine between statements; a single built-in call that allocates a huge value at once
/// is bounded by <see cref="MaxArraySize"/> and <see cref="MaxStringLength"/> instead (checked before
/// <c>repeat</c>, <c>padStart</c>, <c>padEnd</c>, <c>Array.prototype.join</c> and buffer/typed-array constructors run). Tool calls run synchronously
/// inside the program (on a thread-pool thread, never the caller's) and count toward <see cref="Timeout"/>.
/// </para>
/// </remarks>
public sealed class JavaScriptInterpreter : ICodeInterpreter
{
    private readonly OrderedDictionary<string, Tool> _tools = new(StringComparer.Ordinal);

    /// <summary>Creates an interpreter with the default limits.</summary>
    /// <param name="tools">Tools exposed to programs as global functions named after the tools.</param>
    /// <param name="outputFields">The field names <c>SUBMIT</c> maps positional arguments to.</param>
    public JavaScriptInterpreter(IEnumerable<Tool>? tools = null, IEnumerable<string>? outputFields = null)
    {
        foreach (var tool in tools ?? []) _tools[tool.Name] = tool;
        OutputFields = outputFields?.ToList();
    }

    /// <summary>The wall-clock limit for one execution (default 5 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The maximum number of statements one execution may run (default 10,000,000).</summary>
    public int MaxStatements { get; init; } = 10_000_000;

    /// <summary>The maximum number of bytes one execution may allocate, counted cumulatively (default 128 MB).</summary>
    public long MemoryLimitBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>The maximum call depth (default 256).</summary>
    public int MaxRecursionDepth { get; init; } = 256;

    /// <summary>The maximum length of one array (default 1,000,000 elements).</summary>
    public uint MaxArraySize { get; init; } = 1_000_000;

    /// <summary>The maximum length of a string built by <c>repeat</c>, <c>padStart</c>, <c>padEnd</c> or <c>join</c> separators (default 10,000,000).</summary>
    public int MaxStringLength { get; init; } = 10_000_000;

    /// <summary>The field names <c>SUBMIT</c> maps positional arguments to, or null to accept only a dictionary or one value.</summary>
    public IReadOnlyList<string>? OutputFields { get; }

    /// <summary>The tools exposed to programs, by name.</summary>
    public IReadOnlyDictionary<string, Tool> Tools => _tools;

    /// <inheritdoc/>
    public Task<CodeExecutionResult> ExecuteAsync(string code, IReadOnlyDictionary<string, object?>? variables = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        cancellationToken.ThrowIfCancellationRequested();
        // Jint is synchronous: run it off the caller's thread so a grain scheduler or UI thread is never held by a program.
        return Task.Run(() => Execute(code, variables, cancellationToken), cancellationToken);
    }

    private CodeExecutionResult Execute(string code, IReadOnlyDictionary<string, object?>? variables, CancellationToken cancellationToken)
    {
        // The linked source bounds blocking tool calls by the time limit too; Jint's own timeout only fires between statements.
        using var limitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limitCts.CancelAfter(Timeout);
        var run = new RunState(limitCts.Token);

        using var engine = new Engine(options =>
        {
            options.TimeoutInterval(Timeout);
            options.MaxStatements(MaxStatements);
            options.LimitMemory(MemoryLimitBytes);
            options.LimitRecursion(MaxRecursionDepth);
            options.CancellationToken(limitCts.Token);
            options.Constraints.MaxArraySize = MaxArraySize;
            options.Constraints.RegexTimeout = Timeout;
        });

        try
        {
            InstallGlobals(engine, run, variables);
            var value = engine.Evaluate(code);
            return new CodeExecutionResult { Output = run.Output.ToString(), Value = JsValues.FromJs(value, 0) };
        }
        catch (Exception) when (run.Submitted)
        {
            // SUBMIT unwinds the program with a host exception (which JavaScript catch blocks do not see); whatever the
            // engine wrapped it in, the submission is the result.
            return new CodeExecutionResult { Output = run.Output.ToString(), IsFinal = true, FinalOutput = run.Submission };
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    private void InstallGlobals(Engine engine, RunState run, IReadOnlyDictionary<string, object?>? variables)
    {
        var print = new ClrFunction(engine, "print", (_, args) =>
        {
            run.Output.AppendJoin(' ', args.Select(FormatForPrint)).Append('\n');
            return JsValue.Undefined;
        });
        engine.SetValue("print", print);
        var console = new JsObject(engine);
        foreach (var name in new[] { "log", "info", "warn", "error", "debug" }) console.Set(name, print);
        engine.SetValue("console", console);

        engine.SetValue("SUBMIT", new ClrFunction(engine, "SUBMIT", (_, args) =>
        {
            run.Submission = MapSubmission(args);
            run.Submitted = true;
            throw new SubmitSignal();
        }));

        // Built-ins that can allocate gigabytes in one call are checked up front: the engine's memory limit only runs
        // between statements. The guard is a host function captured by the prelude and then removed from scope.
        engine.SetValue("__dspy_check", new ClrFunction(engine, "__dspy_check", (_, args) =>
        {
            var n = args.Length > 0 ? TypeConverter.ToNumber(args[0]) : 0;
            var isBytes = args.Length > 1 && TypeConverter.ToString(args[1]) == "bytes";
            if (isBytes && n > MemoryLimitBytes)
            {
                throw new SandboxViolation(SandboxLimit.Memory,
                    $"The program was stopped: it tried to allocate a {n.ToString("0", CultureInfo.InvariantCulture)}-byte buffer, more than the {FormatBytes(MemoryLimitBytes)} memory limit.");
            }
            if (!isBytes && n > MaxStringLength)
            {
                throw new SandboxViolation(SandboxLimit.Memory,
                    $"The program was stopped: it tried to build a string of {n.ToString("0", CultureInfo.InvariantCulture)} characters, more than the {MaxStringLength.ToString("N0", CultureInfo.InvariantCulture)}-character limit.");
            }
            return JsValue.Undefined;
        }));
        engine.Execute(Prelude);

        foreach (var tool in _tools.Values)
        {
            engine.SetValue(tool.Name, new ClrFunction(engine, tool.Name, (_, args) => CallTool(engine, run, tool, args)));
        }

        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            engine.SetValue(name, JsValues.ToJs(engine, value));
        }
    }

    private const string Prelude = """
        (function () {
          const check = __dspy_check;
          const wrap = (name, size) => {
            const original = String.prototype[name];
            Object.defineProperty(String.prototype, name, {
              value: function (...args) { check(size(String(this), args), 'chars'); return original.apply(this, args); },
              writable: true, configurable: true, enumerable: false,
            });
          };
          wrap('repeat', (s, a) => s.length * Number(a[0]));
          wrap('padStart', (s, a) => Number(a[0]));
          wrap('padEnd', (s, a) => Number(a[0]));
          const join = Array.prototype.join;
          Object.defineProperty(Array.prototype, 'join', {
            value: function (sep) {
              const n = Number(this.length) || 0;
              check(n > 1 ? (n - 1) * (sep === undefined ? 1 : String(sep).length) : 0, 'chars');
              return join.call(this, sep);
            },
            writable: true, configurable: true, enumerable: false,
          });
          const guardBuffer = (name, bytesPerElement) => {
            const target = globalThis[name];
            if (typeof target !== 'function') return;
            globalThis[name] = new Proxy(target, {
              construct(t, args, newTarget) {
                if (typeof args[0] === 'number') check(args[0] * bytesPerElement, 'bytes');
                return Reflect.construct(t, args, newTarget === globalThis[name] ? t : newTarget);
              },
            });
          };
          guardBuffer('ArrayBuffer', 1);
          guardBuffer('SharedArrayBuffer', 1);
          for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
            'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
            if (typeof globalThis[name] === 'function') guardBuffer(name, globalThis[name].BYTES_PER_ELEMENT);
          }
        })();
        delete globalThis.__dspy_check;
        """;

    private static JsValue CallTool(Engine engine, RunState run, Tool tool, JsValue[] args)
    {
        var kwargs = new Dictionary<string, object?>(StringComparer.Ordinal);
        var argNames = tool.Args.Keys.ToList();
        if (args.Length == 1 && args[0] is JsObject && args[0] is not JsArray && JsValues.FromJs(args[0], 0) is Dictionary<string, object?> named
            && (argNames.Count != 1 || named.Keys.All(argNames.Contains)))
        {
            // tool({a: 1, b: 2}) passes keyword arguments, like a Python call with **kwargs.
            foreach (var (k, v) in named) kwargs[k] = v;
        }
        else
        {
            if (args.Length > argNames.Count)
            {
                throw new JavaScriptException(engine.Intrinsics.TypeError,
                    $"{tool.Name}() takes {argNames.Count} positional argument(s) but {args.Length} were given", null!);
            }
            for (var i = 0; i < args.Length; i++) kwargs[argNames[i]] = JsValues.FromJs(args[i], 0);
        }

        object? result;
        try
        {
            result = tool.CallAsync(kwargs, run.Token).ConfigureAwait(false).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A failing tool is the program's problem, not the sandbox's: raise it as a JavaScript Error the program may catch.
            throw new JavaScriptException(engine.Intrinsics.Error, $"{tool.Name} failed: {ex.Message}", ex);
        }
        return JsValues.ToJs(engine, result);
    }

    private object? MapSubmission(JsValue[] args)
    {
        var values = args.Select(a => JsValues.FromJs(a, 0)).ToList();
        if (values.Count == 1 && values[0] is Dictionary<string, object?> dict
            && (OutputFields is null || OutputFields.Count != 1 || dict.Keys.All(OutputFields.Contains)))
        {
            return dict;
        }
        if (OutputFields is not null)
        {
            if (values.Count != OutputFields.Count)
            {
                throw new SubmitMisuse($"SUBMIT() takes {OutputFields.Count} positional argument(s) ({string.Join(", ", OutputFields)}) or one object with those keys, but {values.Count} were given");
            }
            var mapped = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < values.Count; i++) mapped[OutputFields[i]] = values[i];
            return mapped;
        }
        return values.Count switch
        {
            0 => throw new SubmitMisuse("SUBMIT() needs the final output: SUBMIT({field: value, ...})"),
            1 => values[0],
            _ => throw new SubmitMisuse("SUBMIT() takes one object, SUBMIT({field: value, ...}), when no output fields are configured"),
        };
    }

    private Exception? Translate(Exception ex, CancellationToken cancellationToken)
    {
        switch (ex)
        {
            case SandboxViolation v:
                return new CodeInterpreterError(v.Limit, v.Message, v);
            case SubmitMisuse m:
                return new CodeExecutionError("TypeError: " + m.Message, m);
            case ExecutionCanceledException or OperationCanceledException when cancellationToken.IsCancellationRequested:
                return new OperationCanceledException("The program was cancelled.", ex, cancellationToken);
            case ExecutionCanceledException or OperationCanceledException or TimeoutException:
                return new CodeInterpreterError(SandboxLimit.Time,
                    $"The program was stopped: it ran longer than the {FormatSpan(Timeout)} time limit.", ex);
            case StatementsCountOverflowException:
                return new CodeInterpreterError(SandboxLimit.Statements,
                    $"The program was stopped: it ran more than the {MaxStatements.ToString("N0", CultureInfo.InvariantCulture)}-statement limit.", ex);
            case MemoryLimitExceededException or OutOfMemoryException or InsufficientMemoryException:
                return new CodeInterpreterError(SandboxLimit.Memory,
                    $"The program was stopped: it allocated more than the {FormatBytes(MemoryLimitBytes)} memory limit.", ex);
            case RecursionDepthOverflowException or InsufficientExecutionStackException:
                return new CodeInterpreterError(SandboxLimit.Recursion,
                    $"The program was stopped: it nested calls deeper than the {MaxRecursionDepth}-call recursion limit.", ex);
            case JavaScriptException js:
                return js.InnerException is SandboxViolation or SubmitMisuse
                    ? Translate(js.InnerException, cancellationToken)
                    : new CodeExecutionError(DescribeJsError(js), js);
            case Acornima.SyntaxErrorException syntax:
                return new CodeExecutionError("SyntaxError: " + syntax.Message, syntax);
            case JintException jint:
                return new CodeExecutionError(jint.Message, jint);
            default:
                return null;
        }
    }

    private static string DescribeJsError(JavaScriptException js)
    {
        string text;
        if (js.Error is Jint.Native.Object.ObjectInstance o && o.Get("name") is { } name && name.IsString())
        {
            text = $"{name.AsString()}: {TypeConverter.ToString(o.Get("message"))}";
        }
        else
        {
            text = "Uncaught " + FormatForPrint(js.Error);
        }
        var line = js.Location.Start.Line;
        return line > 0 ? $"{text} (line {line})" : text;
    }

    private static string FormatForPrint(JsValue value) => value switch
    {
        JsString s => s.ToString(),
        JsArray or JsObject => SafeJson(value),
        _ => TypeConverter.ToString(value.IsSymbol() ? JsString.Create(value.ToString()) : value),
    };

    private static string SafeJson(JsValue value)
    {
        try
        {
            return PythonJson.Dumps(JsValues.FromJs(value, 0));
        }
        catch (CodeExecutionError)
        {
            return value.ToString();
        }
    }

    private static string FormatSpan(TimeSpan span) => span.TotalSeconds >= 1 && span.TotalSeconds == Math.Floor(span.TotalSeconds)
        ? $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
        : $"{span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms";

    private static string FormatBytes(long bytes) => bytes % (1024 * 1024) == 0
        ? $"{(bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture)} MB"
        : $"{bytes.ToString("N0", CultureInfo.InvariantCulture)}-byte";

    private sealed class RunState(CancellationToken token)
    {
        public CancellationToken Token { get; } = token;
        public StringBuilder Output { get; } = new();
        public bool Submitted { get; set; }
        public object? Submission { get; set; }
    }

    // Host exceptions thrown from host functions: JavaScript try/catch does not intercept them, so they end the program.
    private sealed class SubmitSignal : Exception
    {
        public SubmitSignal() : base("SUBMIT") { }
    }

    private sealed class SubmitMisuse(string message) : Exception(message);

    private sealed class SandboxViolation(SandboxLimit limit, string message) : Exception(message)
    {
        public SandboxLimit Limit { get; } = limit;
    }
}
