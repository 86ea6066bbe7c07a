using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class CodeActTests
{
    private static IDisposable Use(BaseLM lm) => TestSignatures.Use(lm, new ChatAdapter());

    private static Tool Factorial() => new((Func<long, long>)(n =>
    {
        long r = 1;
        for (var i = 2; i <= n; i++) r *= i;
        return r;
    }), name: "factorial", desc: "n!");

    private static Dictionary<string, object?> Turn(string code, bool finished) => new() { ["generated_code"] = code, ["finished"] = finished };

    private static Dictionary<string, object?> Final(string answer) => new() { ["reasoning"] = "done", ["answer"] = answer };

    private static IReadOnlyDictionary<string, object?> Trajectory(Prediction p) =>
        Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(p["trajectory"]);

    [Fact]
    public void Signatures_and_instructions_follow_dspy_with_javascript()
    {
        var act = new CodeAct(Signature.Parse("n -> answer", "Compute the factorial."), [Factorial()], interpreter: Roomy());

        Assert.Equal(["n", "trajectory", "generated_code", "finished"], act.CodeActPredictor.Signature.Fields.Select(f => f.Name));
        Assert.Equal("bool", act.CodeActPredictor.Signature["finished"]!.Type.PythonName);
        Assert.Equal(
            "Compute the factorial.\n\n"
            + "You are an intelligent agent. For each episode, you will receive the fields `n` as input.\n"
            + "Your goal is to generate executable JavaScript code that collects any necessary information for producing `answer`.\n"
            + "For each iteration, you will generate a code snippet that either solves the task or progresses towards the solution.\n"
            + "Ensure any output you wish to extract from the code is printed to the console. The code should be enclosed in a fenced code block.\n"
            + "When all information for producing the outputs (`answer`) are available to be extracted, mark `finished=True` besides the final JavaScript code.\n"
            + "You have access to the JavaScript standard built-in objects and the following functions:\n"
            + "(1) " + act.Tools["factorial"],
            act.CodeActPredictor.Signature.Instructions);
        Assert.Equal(["n", "trajectory", "answer"], act.Extractor.Predict.Signature.Fields.Where(f => f.Name != "reasoning").Select(f => f.Name));
        Assert.Equal(["codeact", "extractor.predict"], act.NamedPredictors().Select(p => p.Name));
    }

    [Fact]
    public async Task Tools_run_inside_the_program_and_errors_become_observations()
    {
        var lm = new QueueLM(
            Turn("```javascript\nprint(factorial(nope));\n```", false),
            Turn("```javascript\nprint(factorial(5));\n```", true),
            Final("120"));
        using var _ = Use(lm);

        var result = await new CodeAct(Signature.Parse("n: int -> answer"), [Factorial()], interpreter: Roomy()).CallAsync(("n", 5L));

        Assert.Equal("120", result["answer"]);
        var t = Trajectory(result);
        Assert.False(t.ContainsKey("observation_1"), t.TryGetValue("observation_1", out var o) ? o as string : null);
        Assert.Equal(["generated_code_0", "observation_0", "generated_code_1", "code_output_1"], t.Keys);
        Assert.Equal("Failed to execute the generated code: ReferenceError: nope is not defined (line 1)", t["observation_0"]);
        Assert.Equal("\"120\"", t["code_output_1"]);
        Assert.Contains("[[ ## trajectory ## ]]\n[[ ## generated_code_0 ## ]]", lm.UserText(2));
        Assert.Equal(0, lm.Remaining);
    }

    // Time is not under test here: a generous limit keeps a loaded machine from turning print(1) into a timeout.
    private static JavaScriptInterpreter Roomy() => new([Factorial()]) { Timeout = TimeSpan.FromMinutes(2) };

    [Fact]
    public async Task The_loop_stops_after_max_iters_and_parse_failures_are_observed()
    {
        var lm = new QueueLM(Turn("", false), Turn("```javascript\nprint(1)\n```", false), Final("x"));
        using var _ = Use(lm);

        var result = await new CodeAct(Signature.Parse("n -> answer"), [Factorial()], maxIters: 2, interpreter: Roomy()).CallAsync(("n", "1"));

        var t = Trajectory(result);
        Assert.Equal("Failed to parse the generated code: Error: Empty code after parsing.", t["observation_0"]);
        Assert.Equal("\"1\"", t["code_output_1"]);
        Assert.Equal(3, lm.Requests.Count);
    }

    [Fact]
    public async Task A_runaway_program_is_stopped_and_the_agent_continues()
    {
        var interpreter = new JavaScriptInterpreter([Factorial()]) { Timeout = TimeSpan.FromSeconds(30), MaxStatements = 1_000_000 };
        var lm = new QueueLM(Turn("```javascript\nwhile (true) {}\n```", false), Turn("```javascript\nprint(factorial(3))\n```", true), Final("6"));
        using var _ = Use(lm);

        var result = await new CodeAct(Signature.Parse("n -> answer"), [Factorial()], interpreter: interpreter).CallAsync(("n", "3"));

        var t = Trajectory(result);
        Assert.StartsWith("Failed to execute the generated code: The program was stopped: it ran ", (string)t["observation_0"]!);
        Assert.Equal("\"6\"", t["code_output_1"]);
        Assert.Equal("6", result["answer"]);
    }
}
