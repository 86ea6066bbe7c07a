namespace Dspy.Samples.Agent;

/// <summary>
/// DSPy's homepage "Agents" example: <c>dspy.ReAct("question -> answer", tools=[...])</c> with two tools, a calculator and a
/// search over the corpus of <c>samples/rag</c> (<see cref="Embeddings"/> over the offline all-MiniLM-L6-v2 model).
/// The demos (<c>demos.jsonl</c>) are what a traced run records: each is replayed through the real tools to produce its
/// observations, then split into the per-step demos of the ReAct predictor and a demo of the extraction step.
/// </summary>
public static class AgentSample
{
    /// <summary>Passages the search tool returns (one keeps the trajectory short).</summary>
    public const int K = 1;

    /// <summary>Turns per question (DSPy's default is 20; two are needed here).</summary>
    public const int MaxIters = 6;

    /// <summary>The bundled corpus, one passage per line.</summary>
    public static IReadOnlyList<string> Corpus() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "samples", "agent", "corpus.txt")).Where(l => l.Length > 0).ToList();

    /// <summary>The agent's tools: <c>calculator(expression)</c> and <c>search(query)</c>.</summary>
    public static List<Tool> CreateTools(Embeddings search)
    {
        ArgumentNullException.ThrowIfNull(search);
        var calculator = new Tool((Func<string, string>)(expression => Calculator.Format(Calculator.Evaluate(expression))),
            name: "calculator", desc: "Evaluates an arithmetic expression with + - * / and parentheses, e.g. (2 + 3) * 4, and returns the number.");
        var searchTool = new Tool((Func<string, Task<List<string>>>)(async query =>
            {
                var hits = await search.CallAsync(query);
                return (List<string>)hits["passages"]!;
            }),
            name: "search", desc: $"Searches a corpus of short encyclopedia-style passages and returns the most relevant one.");
        return [calculator, searchTool];
    }

    /// <summary>The agent, with demos made by replaying <c>demos.jsonl</c> through <paramref name="tools"/>.</summary>
    public static async Task<ReAct> CreateProgramAsync(IReadOnlyList<Tool> tools, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var agent = new ReAct(Signature.Parse("question -> answer"), tools, MaxIters);
        foreach (var demo in SampleData.ReadExamples("agent", "demos.jsonl", "question"))
        {
            var question = (string)demo["question"]!;
            var tool = agent.Tools[(string)demo["tool"]!];
            var args = (Dictionary<string, object?>)demo["args"]!;
            var observation = await tool.CallAsync(args, ct);
            var trajectory = new Dictionary<string, object?>(StringComparer.Ordinal);
            agent.React.Demos.Add(ReactDemo(question, trajectory, (string)demo["thought"]!, tool.Name, args));
            trajectory["thought_0"] = demo["thought"];
            trajectory["tool_name_0"] = tool.Name;
            trajectory["tool_args_0"] = args;
            trajectory["observation_0"] = observation;
            var finishArgs = new Dictionary<string, object?>(StringComparer.Ordinal);
            const string done = "I can finish now.";
            agent.React.Demos.Add(ReactDemo(question, trajectory, done, ReAct.FinishToolName, finishArgs));
            trajectory["thought_1"] = done;
            trajectory["tool_name_1"] = ReAct.FinishToolName;
            trajectory["tool_args_1"] = finishArgs;
            trajectory["observation_1"] = "Completed.";
            agent.Extract.Predict.Demos.Add(new Example
            {
                ["question"] = question,
                ["trajectory"] = ReAct.FormatTrajectory(trajectory),
                ["reasoning"] = $"The {tool.Name} observation gives the answer.",
                ["answer"] = demo["answer"],
            }.WithInputs("question", "trajectory"));
        }
        return agent;
    }

    private static Example ReactDemo(string question, Dictionary<string, object?> trajectory, string thought, string tool, Dictionary<string, object?> args) =>
        new Example
        {
            ["question"] = question,
            ["trajectory"] = ReAct.FormatTrajectory(trajectory),
            ["next_thought"] = thought,
            ["next_tool_name"] = tool,
            ["next_tool_args"] = args,
        }.WithInputs("question", "trajectory");

    /// <summary>The bundled questions with a word or number the right answer contains.</summary>
    public static IReadOnlyList<Example> Questions() => SampleData.ReadExamples("agent", "questions.jsonl", "question");

    /// <summary>Runs the sample: <c>[--lm MODEL] [--question TEXT]</c>. Returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct) =>
        SampleHost.RunAsync("agent", args, output, ["--question"], async options =>
        {
            using var model = new LocalEmbeddingGenerator();
            var search = await Embeddings.CreateAsync(Corpus(), new Embedder(model), k: K, cancellationToken: ct);
            var agent = await CreateProgramAsync(CreateTools(search), ct);
            await output.WriteLineAsync($"tools: calculator, search ({search.Corpus.Count} passages, {LocalEmbeddingGenerator.ModelId}, offline)");
            await output.WriteLineAsync();
            var questions = options.Get("--question") is { } asked
                ? [new Example { ["question"] = asked }.WithInputs("question")]
                : Questions();

            var correct = 0;
            foreach (var example in questions)
            {
                var prediction = await agent.CallAsync(example, ct);
                var answer = prediction["answer"]?.ToString() ?? "";
                await output.WriteLineAsync($"question: {example["question"]}");
                var trajectory = (IReadOnlyDictionary<string, object?>)prediction["trajectory"]!;
                for (var step = 0; trajectory.ContainsKey($"tool_name_{step}"); step++)
                {
                    var observation = Shorten(ValueText(trajectory.GetValueOrDefault($"observation_{step}")));
                    await output.WriteLineAsync($"step {step}:   {trajectory[$"tool_name_{step}"]}({ValueText(trajectory[$"tool_args_{step}"])}) -> {observation}");
                }
                var line = $"answer:   {answer}";
                if (example.TryGetValue("expected", out var expected) && expected is string e)
                {
                    var ok = answer.Contains(e, StringComparison.OrdinalIgnoreCase);
                    if (ok) correct++;
                    line += $"  (expects \"{e}\": {(ok ? "yes" : "no")})";
                }
                await output.WriteLineAsync(line);
                await output.WriteLineAsync();
            }
            if (options.Get("--question") is null)
            {
                await output.WriteLineAsync($"{correct} of {questions.Count} answers contain the expected answer with {options.Model}");
            }
        });

    private static string ValueText(object? value) => value switch
    {
        null => "",
        string s => s,
        _ => PythonJson.Dumps(value),
    };

    private static string Shorten(string text)
    {
        var oneLine = text.Replace('\n', ' ');
        return oneLine.Length <= 110 ? oneLine : oneLine[..107] + "...";
    }
}
