using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class ReActTests
{
    private static Tool Weather(Func<string, string>? impl = null) =>
        new(impl ?? (city => $"Sunny in {city}"), name: "get_weather", desc: "look up the weather for a city");

    private static Dictionary<string, object?> Turn(string thought, string tool, string args) => new()
    {
        ["next_thought"] = thought,
        ["next_tool_name"] = tool,
        ["next_tool_args"] = args,
    };

    private static Dictionary<string, object?> Final(string reasoning, string answer) => new() { ["reasoning"] = reasoning, ["answer"] = answer };

    private static IDisposable Use(BaseLM lm) => TestSignatures.Use(lm, new ChatAdapter());

    private static IReadOnlyDictionary<string, object?> Trajectory(Prediction p) =>
        Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(p["trajectory"]);

    [Fact]
    public void Turn_signature_has_dspys_fields_and_instructions()
    {
        var react = new ReAct(Signature.Parse("request -> answer", "Answer the question."), [Weather()]);

        Assert.Equal(["request", "trajectory", "next_thought", "next_tool_name", "next_tool_args"], react.React.Signature.Fields.Select(f => f.Name));
        Assert.Equal("Literal['get_weather', 'finish']", react.React.Signature["next_tool_name"]!.Type.PythonName);
        Assert.Equal("dict[str, Any]", react.React.Signature["next_tool_args"]!.Type.PythonName);
        Assert.Equal(
            "Answer the question.\n\n"
            + "You are an Agent. In each episode, you will be given the fields `request` as input. And you can see your past trajectory so far.\n"
            + "Your goal is to use one or more of the supplied tools to collect any necessary information for producing `answer`.\n\n"
            + "To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also when finishing the task.\n"
            + "After each tool call, you receive a resulting observation, which gets appended to your trajectory.\n\n"
            + "When writing next_thought, you may reason about the current situation and plan for future steps.\n"
            + "When selecting the next_tool_name and its next_tool_args, the tool must be one of:\n\n"
            + "(1) get_weather, whose description is <desc>look up the weather for a city</desc>. It takes arguments {'city': {'type': 'string'}}.\n"
            + "(2) finish, whose description is <desc>Marks the task as complete. That is, signals that all information for producing the outputs, i.e. `answer`, are now available to be extracted.</desc>. It takes arguments {}.\n"
            + "When providing `next_tool_args`, the value inside the field must be in JSON format",
            react.React.Signature.Instructions);

        var extract = react.Extract.Predict.Signature;
        Assert.Equal(["request", "trajectory", "reasoning", "answer"], extract.Fields.Select(f => f.Name));
        Assert.Equal("Answer the question.", extract.Instructions);
        Assert.Equal(["react", "extract.predict"], react.NamedPredictors().Select(p => p.Name));
        Assert.Equal(["get_weather", "finish"], react.Tools.Keys);
    }

    [Fact]
    public async Task Runs_the_tool_then_finishes_and_extracts()
    {
        var lm = new QueueLM(
            Turn("I should look it up.", "get_weather", "{\"city\": \"Paris\"}"),
            Turn("I know it now.", "finish", "{}"),
            Final("The tool said sunny.", "Sunny"));
        using var _ = Use(lm);
        var react = new ReAct(Signature.Parse("question -> answer"), [Weather()]);

        var pred = await react.CallAsync(("question", "Weather in Paris?"));

        Assert.Equal(3, lm.Requests.Count);
        Assert.Equal(["trajectory", "reasoning", "answer"], pred.Keys());
        Assert.Equal("Sunny", pred["answer"]);
        Assert.Equal("The tool said sunny.", pred["reasoning"]);
        var t = Trajectory(pred);
        Assert.Equal(
            ["thought_0", "tool_name_0", "tool_args_0", "observation_0", "thought_1", "tool_name_1", "tool_args_1", "observation_1"],
            t.Keys);
        Assert.Equal("I should look it up.", t["thought_0"]);
        Assert.Equal("get_weather", t["tool_name_0"]);
        Assert.Equal(new Dictionary<string, object?> { ["city"] = "Paris" }, t["tool_args_0"]);
        Assert.Equal("Sunny in Paris", t["observation_0"]);
        Assert.Equal("finish", t["tool_name_1"]);
        Assert.Empty(Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(t["tool_args_1"]));
        Assert.Equal("Completed.", t["observation_1"]);

        // The first turn sees an empty trajectory; the second sees the formatted first tool call.
        Assert.Contains("Weather in Paris?\n\n[[ ## trajectory ## ]]\n\n\nRespond with", lm.UserText(0), StringComparison.Ordinal);
        Assert.Contains(
            "[[ ## trajectory ## ]]\n[[ ## thought_0 ## ]]\nI should look it up.\n\n[[ ## tool_name_0 ## ]]\nget_weather\n\n"
            + "[[ ## tool_args_0 ## ]]\n{\"city\": \"Paris\"}\n\n[[ ## observation_0 ## ]]\nSunny in Paris\n\n",
            lm.UserText(1), StringComparison.Ordinal);
        // The extractor sees the whole trajectory and is asked for reasoning and answer.
        Assert.Contains("[[ ## observation_1 ## ]]\nCompleted.", lm.UserText(2), StringComparison.Ordinal);
        Assert.Contains("`[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]`", lm.UserText(2), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_trajectory_is_the_adapters_user_message_content()
    {
        using var _ = Use(new QueueLM());
        Assert.Equal("", ReAct.FormatTrajectory(new Dictionary<string, object?>()));
        var text = ReAct.FormatTrajectory(new Dictionary<string, object?>
        {
            ["thought_0"] = "t",
            ["tool_args_0"] = new Dictionary<string, object?> { ["n"] = 2L },
            ["observation_0"] = new List<object?> { "a", "b" },
        });
        Assert.Equal("[[ ## thought_0 ## ]]\nt\n\n[[ ## tool_args_0 ## ]]\n{\"n\": 2}\n\n[[ ## observation_0 ## ]]\n[1] «a»\n[2] «b»", text);
    }

    [Fact]
    public async Task Tool_errors_become_observations_and_the_loop_goes_on()
    {
        var lm = new QueueLM(
            Turn("try", "get_weather", "{\"city\": \"Oslo\"}"),
            Turn("try a bad arg", "get_weather", "{\"town\": \"Oslo\"}"),
            Turn("give up", "finish", "{}"),
            Final("r", "unknown"));
        using var _ = Use(lm);
        var react = new ReAct(Signature.Parse("question -> answer"), [Weather(city => throw new InvalidOperationException($"service down for {city}"))]);

        var pred = await react.CallAsync(("question", "q"));

        var t = Trajectory(pred);
        Assert.Equal("Execution error in get_weather: \nInvalidOperationException: service down for Oslo", t["observation_0"]);
        Assert.Equal("Execution error in get_weather: \nArgumentException: Arg town is not in the tool's args.", t["observation_1"]);
        Assert.Equal("Completed.", t["observation_2"]);
        Assert.Equal("unknown", pred["answer"]);
        Assert.Contains("Execution error in get_weather: \nInvalidOperationException: service down for Oslo", lm.UserText(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stops_after_max_iters_and_a_call_can_override_it()
    {
        var lm = new QueueLM(
            Turn("a", "get_weather", "{\"city\": \"A\"}"),
            Turn("b", "get_weather", "{\"city\": \"B\"}"),
            Final("r", "x"));
        using var _ = Use(lm);
        var react = new ReAct(Signature.Parse("question -> answer"), [Weather()], maxIters: 2);

        var pred = await react.CallAsync(("question", "q"));
        Assert.Equal(3, lm.Requests.Count);
        Assert.Equal(8, Trajectory(pred).Count);
        Assert.Equal("Sunny in B", Trajectory(pred)["observation_1"]);

        lm.Enqueue(Turn("a", "get_weather", "{\"city\": \"A\"}"), Final("r", "y"));
        var one = await react.CallAsync(("question", "q"), ("max_iters", 1L));
        Assert.Equal(5, lm.Requests.Count);
        Assert.Equal(4, Trajectory(one).Count);
        Assert.Equal("y", one["answer"]);
        // max_iters is not passed on to the predictors as an input.
        Assert.DoesNotContain("max_iters", lm.UserText(4), StringComparison.Ordinal);
    }

    [Fact]
    public void Default_max_iters_is_20()
    {
        Assert.Equal(20, new ReAct(Signature.Parse("q -> a"), []).MaxIters);
    }

    [Fact]
    public async Task Context_overflow_drops_the_oldest_tool_call_and_retries()
    {
        var lm = new QueueLM(
            Turn("a", "get_weather", "{\"city\": \"A\"}"),
            Turn("b", "get_weather", "{\"city\": \"B\"}"),
            new ContextWindowExceededError("too long"),
            Turn("c", "finish", "{}"),
            Final("r", "done"));
        using var _ = Use(lm);
        var react = new ReAct(Signature.Parse("question -> answer"), [Weather()]);

        var pred = await react.CallAsync(("question", "q"));

        Assert.Equal(5, lm.Requests.Count);
        Assert.Contains("[[ ## thought_0 ## ]]", lm.UserText(2), StringComparison.Ordinal);
        // The retry no longer carries the first tool call.
        Assert.DoesNotContain("thought_0", lm.UserText(3), StringComparison.Ordinal);
        Assert.Contains("[[ ## trajectory ## ]]\n[[ ## thought_1 ## ]]\nb", lm.UserText(3), StringComparison.Ordinal);
        Assert.Equal(
            ["thought_1", "tool_name_1", "tool_args_1", "observation_1", "thought_2", "tool_name_2", "tool_args_2", "observation_2"],
            Trajectory(pred).Keys);
        Assert.Equal("done", pred["answer"]);
    }

    [Fact]
    public async Task Overflow_with_nothing_to_truncate_ends_the_loop_then_raises_from_the_extractor()
    {
        var lm = new QueueLM(new ContextWindowExceededError("too long"), new ContextWindowExceededError("too long"));
        using var _ = Use(lm);
        var react = new ReAct(Signature.Parse("question -> answer"), [Weather()]);

        var ex = await Assert.ThrowsAsync<TrajectoryTruncationException>(() => react.CallAsync(("question", "q")));
        Assert.Contains("cannot be truncated because it only has one tool call", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, lm.Requests.Count);
    }

    [Fact]
    public async Task Three_overflows_in_a_row_raise_the_context_window_error()
    {
        var lm = new QueueLM(
            Turn("a", "get_weather", "{\"city\": \"A\"}"),
            Turn("b", "get_weather", "{\"city\": \"B\"}"),
            Turn("c", "get_weather", "{\"city\": \"C\"}"),
            new ContextWindowExceededError("1"),
            new ContextWindowExceededError("2"),
            new ContextWindowExceededError("3"));
        using var _ = Use(lm);
        var react = new ReAct(Signature.Parse("question -> answer"), [Weather()]);

        var ex = await Assert.ThrowsAsync<ContextWindowExceededError>(() => react.CallAsync(("question", "q")));
        Assert.Equal("3", ex.Message);
        Assert.Equal(6, lm.Requests.Count);
        Assert.Contains("thought_2", lm.UserText(5), StringComparison.Ordinal);
        Assert.DoesNotContain("thought_1", lm.UserText(5), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Async_tools_are_awaited_and_cancellation_propagates()
    {
        var lm = new QueueLM(Turn("a", "lookup", "{\"key\": \"k\"}"), Turn("b", "finish", "{}"), Final("r", "v"));
        using var _ = Use(lm);
        var lookup = new Tool((Func<string, CancellationToken, Task<string>>)(async (key, ct) =>
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            return $"value of {key}";
        }), name: "lookup");
        var react = new ReAct(Signature.Parse("question -> answer"), [lookup]);

        var pred = await react.CallAsync(("question", "q"));
        Assert.Equal("value of k", Trajectory(pred)["observation_0"]);

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        lm.Enqueue(Turn("a", "lookup", "{\"key\": \"k\"}"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => react.CallAsync(new Dictionary<string, object?> { ["question"] = "q" }, cts.Token));
    }

    [Fact]
    public async Task A_copied_agent_keeps_its_tools_and_runs_under_best_of_n_rollouts()
    {
        var lm = new QueueLM(Turn("a", "finish", "{}"), Final("r", "ok"));
        using var _ = Use(lm);
        var react = new ReAct(Signature.Parse("question -> answer"), [Weather()]);
        var best = new BestOfN(react, 2, (_, p) => p["answer"] is "ok" ? 1.0 : 0.0, threshold: 1.0);

        var pred = await best.CallAsync(("question", "q"));

        Assert.Equal("ok", pred["answer"]);
        Assert.Equal([0L, 0L], lm.Requests.Select(r => r.Kwargs["rollout_id"]));
        Assert.All(lm.Requests, r => Assert.Equal(1.0, r.Kwargs["temperature"]));
        Assert.Equal(["module.react", "module.extract.predict"], best.NamedPredictors().Select(p => p.Name));
        var copy = (ReAct)react.DeepCopy();
        Assert.Equal(react.Tools.Keys, copy.Tools.Keys);
        Assert.NotSame(react.React, copy.React);
    }
}
