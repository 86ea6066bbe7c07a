namespace Dspy.Tests.Interpreters;

public class JavaScriptInterpreterTests
{
    // Small statement and memory limits keep the sandbox tests quick; the time limit is generous so that a loaded machine
    // never turns an ordinary program into a timeout. Assertions are on error types and messages, never on durations.
    private static JavaScriptInterpreter Small(IEnumerable<Tool>? tools = null, IEnumerable<string>? outputFields = null) =>
        new(tools, outputFields)
        {
            Timeout = TimeSpan.FromSeconds(30),
            MaxStatements = 5_000_000,
            MemoryLimitBytes = 16L * 1024 * 1024,
        };

    [Fact]
    public async Task Completion_value_and_printed_output_are_returned()
    {
        var result = await new JavaScriptInterpreter().ExecuteAsync("print('a', 1); console.log({x: [1, 2.5]}); const y = 6 * 7; y");

        Assert.Equal("a 1\n{\"x\": [1, 2.5]}\n", result.Output);
        Assert.Equal(42L, result.Value);
        Assert.False(result.IsFinal);
        Assert.Equal(42L, result.Result);
    }

    [Fact]
    public async Task Variables_are_bound_as_globals()
    {
        var vars = new Dictionary<string, object?> { ["items"] = new List<object?> { 1L, 2L, 3L }, ["cfg"] = new Dictionary<string, object?> { ["k"] = "v" } };
        var result = await new JavaScriptInterpreter().ExecuteAsync("items.reduce((a, b) => a + b, 0) + cfg.k", vars);

        Assert.Equal("6v", result.Value);
    }

    [Fact]
    public async Task Submit_with_an_object_ends_the_program_with_final_output()
    {
        var result = await new JavaScriptInterpreter().ExecuteAsync("print('before'); SUBMIT({answer: 2 + 2, note: 'ok'}); print('after');");

        Assert.True(result.IsFinal);
        var final = Assert.IsType<Dictionary<string, object?>>(result.FinalOutput);
        Assert.Equal(4L, final["answer"]);
        Assert.Equal("ok", final["note"]);
        Assert.Equal("before\n", result.Output);
    }

    [Fact]
    public async Task Submit_maps_positional_values_to_output_fields_and_cannot_be_caught()
    {
        var result = await Small(outputFields: ["answer", "confidence"]).ExecuteAsync("try { SUBMIT('x', 0.5); } catch (e) { print('caught'); } print('after');");

        Assert.True(result.IsFinal);
        Assert.Equal(new Dictionary<string, object?> { ["answer"] = "x", ["confidence"] = 0.5 }, result.FinalOutput);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task Submit_with_wrong_arity_is_a_code_execution_error()
    {
        var ex = await Assert.ThrowsAsync<CodeExecutionError>(() => Small(outputFields: ["answer"]).ExecuteAsync("SUBMIT(1, 2)"));
        Assert.Contains("SUBMIT() takes 1 positional argument(s)", ex.Message);
    }

    [Fact]
    public async Task A_thrown_error_is_a_code_execution_error_with_its_name_and_message()
    {
        var ex = await Assert.ThrowsAsync<CodeExecutionError>(() => Small().ExecuteAsync("const a = 1;\nthrow new RangeError('too big');"));
        Assert.StartsWith("RangeError: too big", ex.Message);
        Assert.Contains("line 2", ex.Message);
    }

    [Fact]
    public async Task A_syntax_error_is_a_code_execution_error()
    {
        var ex = await Assert.ThrowsAsync<CodeExecutionError>(() => Small().ExecuteAsync("let = = 3"));
        Assert.Contains("SyntaxError", ex.Message);
    }

    [Fact]
    public async Task An_infinite_loop_is_stopped_and_the_next_execution_works()
    {
        var interpreter = Small();
        var ex = await Assert.ThrowsAsync<CodeInterpreterError>(() => interpreter.ExecuteAsync("while (true) {}"));

        Assert.True(ex.Limit is SandboxLimit.Time or SandboxLimit.Statements, ex.Message);
        Assert.StartsWith("The program was stopped: it ran ", ex.Message);

        var next = await interpreter.ExecuteAsync("1 + 1");
        Assert.Equal(2L, next.Value);
    }

    [Fact]
    public async Task The_time_limit_message_names_the_limit()
    {
        // A statement budget far above what 200 ms can run makes the clock the limit that fires.
        var interpreter = new JavaScriptInterpreter { Timeout = TimeSpan.FromMilliseconds(200), MaxStatements = int.MaxValue };
        var ex = await Assert.ThrowsAsync<CodeInterpreterError>(() => interpreter.ExecuteAsync("for (;;) { Math.sqrt(2); }"));

        Assert.Equal(SandboxLimit.Time, ex.Limit);
        Assert.Equal("The program was stopped: it ran longer than the 200 ms time limit.", ex.Message);
    }

    [Fact]
    public async Task The_statement_limit_stops_a_loop()
    {
        var interpreter = new JavaScriptInterpreter { MaxStatements = 1_000, Timeout = TimeSpan.FromSeconds(30) };
        var ex = await Assert.ThrowsAsync<CodeInterpreterError>(() => interpreter.ExecuteAsync("let i = 0; while (true) { i++; }"));

        Assert.Equal(SandboxLimit.Statements, ex.Limit);
        Assert.Equal("The program was stopped: it ran more than the 1,000-statement limit.", ex.Message);
    }

    [Fact]
    public async Task Unbounded_allocation_is_stopped_and_the_host_stays_healthy()
    {
        var interpreter = new JavaScriptInterpreter { MemoryLimitBytes = 16L * 1024 * 1024, Timeout = TimeSpan.FromSeconds(30) };
        var ex = await Assert.ThrowsAsync<CodeInterpreterError>(() =>
            interpreter.ExecuteAsync("const keep = []; while (true) { keep.push(new Array(10000).fill('xxxxxxxx')); }"));

        Assert.Equal(SandboxLimit.Memory, ex.Limit);
        Assert.Equal("The program was stopped: it allocated more than the 16 MB memory limit.", ex.Message);
        Assert.Equal(3L, (await interpreter.ExecuteAsync("1 + 2")).Value);
    }

    [Theory]
    [InlineData("'x'.repeat(2 ** 30)")]
    [InlineData("''.padStart(2 ** 30, 'y')")]
    public async Task A_single_huge_string_is_refused_before_it_is_built(string code)
    {
        var ex = await Assert.ThrowsAsync<CodeInterpreterError>(() => Small().ExecuteAsync(code));
        Assert.Equal(SandboxLimit.Memory, ex.Limit);
        Assert.Contains("-character limit", ex.Message);
    }

    [Fact]
    public async Task A_huge_array_is_refused()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Small().ExecuteAsync("new Array(2 ** 31).fill(0).length"));
        Assert.True(ex is CodeInterpreterError or CodeExecutionError, ex.GetType() + ": " + ex.Message);
        Assert.Equal(1L, (await Small().ExecuteAsync("1")).Value);
    }

    [Fact]
    public async Task Deep_recursion_is_stopped()
    {
        var ex = await Assert.ThrowsAsync<CodeInterpreterError>(() => Small().ExecuteAsync("function f(n) { return f(n + 1) + 1; } f(0)"));
        Assert.Equal(SandboxLimit.Recursion, ex.Limit);
        Assert.Equal("The program was stopped: it nested calls deeper than the 256-call recursion limit.", ex.Message);
    }

    [Theory]
    [InlineData("require('fs').writeFileSync(PATH, 'x')", "ReferenceError: require is not defined")]
    [InlineData("System.IO.File.WriteAllText(PATH, 'x')", "ReferenceError: System is not defined")]
    [InlineData("importNamespace('System.IO').File.WriteAllText(PATH, 'x')", "ReferenceError: importNamespace is not defined")]
    [InlineData("Deno.writeTextFileSync(PATH, 'x')", "ReferenceError: Deno is not defined")]
    [InlineData("process.mainModule.require('fs').writeFileSync(PATH, 'x')", "ReferenceError: process is not defined")]
    [InlineData("print.constructor('return this')().System.IO.File.WriteAllText(PATH, 'x')", "TypeError")]
    [InlineData("SUBMIT.constructor.constructor('return importNamespace')()('System.IO').File.WriteAllText(PATH, 'x')", "ReferenceError: importNamespace is not defined")]
    [InlineData("print.GetType().Assembly", "TypeError")]
    public async Task Host_access_is_unavailable_and_nothing_is_written(string program, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"dspy-sandbox-{Guid.NewGuid():N}.txt");
        var code = $"const PATH = {PythonJson.Dumps(path)};\n{program}";

        var ex = await Assert.ThrowsAsync<CodeExecutionError>(() => Small().ExecuteAsync(code));

        Assert.Contains(expected, ex.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Dynamic_import_is_unavailable()
    {
        var interpreter = Small();
        var ex = await Assert.ThrowsAsync<CodeExecutionError>(() => interpreter.ExecuteAsync("import fs from 'fs'; fs"));
        Assert.Contains("SyntaxError", ex.Message);
        Assert.Equal(1L, (await interpreter.ExecuteAsync("1")).Value);
    }

    [Fact]
    public async Task Tools_are_callable_with_positional_or_named_arguments()
    {
        var add = new Tool((Func<long, long, long>)((a, b) => a + b), name: "add", desc: "adds");
        var result = await Small([add]).ExecuteAsync("SUBMIT({p: add(2, 3), n: add({a: 10, b: 1})})");

        Assert.Equal(new Dictionary<string, object?> { ["p"] = 5L, ["n"] = 11L }, result.FinalOutput);
    }

    [Fact]
    public async Task A_failing_tool_raises_a_catchable_javascript_error()
    {
        var boom = new Tool((Func<string, string>)(_ => throw new InvalidOperationException("no weather")), name: "weather", desc: "w");
        var result = await Small([boom]).ExecuteAsync("let msg; try { weather('Paris'); } catch (e) { msg = e.message; } msg");

        Assert.Equal("weather failed: no weather", result.Value);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        var interpreter = new JavaScriptInterpreter { Timeout = TimeSpan.FromMinutes(5), MaxStatements = int.MaxValue };
        var run = interpreter.ExecuteAsync("while (true) {}", null, cts.Token);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Each_execution_has_a_fresh_engine()
    {
        var interpreter = Small();
        await interpreter.ExecuteAsync("globalThis.leak = 1; Object.prototype.polluted = true;");
        var result = await interpreter.ExecuteAsync("typeof leak + ',' + ({}).polluted");

        Assert.Equal("undefined,undefined", result.Value);
    }
}
