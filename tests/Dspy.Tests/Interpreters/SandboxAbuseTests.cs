namespace Dspy.Tests.Interpreters;

public class SandboxAbuseTests
{
    private static JavaScriptInterpreter Sandbox() => new()
    {
        Timeout = TimeSpan.FromSeconds(2),
        MemoryLimitBytes = 32L * 1024 * 1024,
    };

    [Theory]
    [InlineData("let s = 'x'; while (true) { s += s; } ")]
    [InlineData("let s = 'x'; for (let i = 0; i < 40; i++) { s = s + s; } s.indexOf('y')")]
    [InlineData("new Array(1000000).join('x'.repeat(1000)).length")]
    [InlineData("JSON.stringify(new Array(1000000).fill('x'.repeat(1000))).length")]
    [InlineData("const m = new Map(); let i = 0; while (true) { m.set(i++, {a: i}); }")]
    [InlineData("new ArrayBuffer(2 ** 30).byteLength")]
    [InlineData("new Uint8Array(2 ** 30).length")]
    [InlineData("new Float64Array(2 ** 27).length")]
    [InlineData("new SharedArrayBuffer(2 ** 30).byteLength")]
    [InlineData("try { while (true) {} } catch (e) { 'caught' }")]
    [InlineData("try { (function f() { f(); })(); } catch (e) { 'caught' }")]
    public async Task Abuse_is_stopped_by_the_sandbox(string code)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Sandbox().ExecuteAsync(code));
        Assert.True(ex is CodeInterpreterError, ex.GetType() + ": " + ex.Message);
    }

    [Fact]
    public async Task A_join_that_would_build_a_huge_string_is_refused_before_it_runs()
    {
        var ex = await Assert.ThrowsAsync<CodeInterpreterError>(() => Sandbox().ExecuteAsync("new Array(1000000).join('x'.repeat(100))"));
        Assert.Equal(SandboxLimit.Memory, ex.Limit);
        Assert.Contains("-character limit", ex.Message);
    }

    [Fact]
    public async Task Guarded_built_ins_still_work_within_the_limits()
    {
        var result = await Sandbox().ExecuteAsync(
            "const b = new Uint8Array(16); b[0] = 7; [b instanceof Uint8Array, b.length, new ArrayBuffer(8).byteLength, 'ab'.repeat(3), '5'.padStart(3, '0'), b[0], [1, 2, 3].join(), ['a', 'b'].join('--')].join(',')");

        Assert.Equal("true,16,8,ababab,005,7,1,2,3,a--b", result.Value);
    }
}

public class SandboxConcurrencyTests
{
    [Fact]
    public async Task One_interpreter_serves_concurrent_executions_independently()
    {
        var interpreter = new JavaScriptInterpreter { Timeout = TimeSpan.FromSeconds(10) };
        var runs = Enumerable.Range(0, 8).Select(i => interpreter.ExecuteAsync("globalThis.mine = seed; let s = 0; for (let k = 0; k < 1000; k++) s += k; SUBMIT({seed: mine, s})",
            new Dictionary<string, object?> { ["seed"] = (long)i })).ToList();

        var results = await Task.WhenAll(runs);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(new Dictionary<string, object?> { ["seed"] = (long)i, ["s"] = 499500L }, results[i].FinalOutput);
        }
    }
}
