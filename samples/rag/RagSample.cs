namespace Dspy.Samples.Rag;

/// <summary>
/// DSPy's homepage "RAG" example: retrieve passages for a question, then <c>dspy.ChainOfThought("context, question -> response")</c>.
/// Instead of a hosted ColBERTv2 server it searches the bundled corpus (<c>corpus.txt</c>, 291 short passages written for
/// this project) with <see cref="Embeddings"/> over the offline all-MiniLM-L6-v2 model, so it runs with no network.
/// </summary>
public static class RagSample
{
    /// <summary>Passages retrieved per question.</summary>
    public const int K = 3;

    /// <summary>The bundled corpus, one passage per line.</summary>
    public static IReadOnlyList<string> Corpus() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "samples", "rag", "corpus.txt")).Where(l => l.Length > 0).ToList();

    /// <summary>The retriever: the corpus embedded with <paramref name="embedder"/>, top <see cref="K"/> by cosine.</summary>
    public static Task<Embeddings> CreateSearchAsync(Embedder embedder, CancellationToken ct = default) =>
        Embeddings.CreateAsync(Corpus(), embedder, k: K, cancellationToken: ct);

    /// <summary>The program: chain of thought from retrieved context to a response, with the bundled demos.</summary>
    public static ChainOfThought CreateProgram()
    {
        var rag = new ChainOfThought("context, question -> response");
        rag.Predict.Demos = SampleData.ReadExamples("rag", "demos.jsonl", "context", "question");
        return rag;
    }

    /// <summary>The bundled questions with a word or phrase the right response contains.</summary>
    public static IReadOnlyList<Example> Questions() => SampleData.ReadExamples("rag", "questions.jsonl", "question");

    /// <summary>Runs the sample: <c>[--lm MODEL] [--question TEXT]</c>. Returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct) =>
        SampleHost.RunAsync("rag", args, output, ["--question"], async options =>
        {
            using var model = new LocalEmbeddingGenerator();
            var search = await CreateSearchAsync(new Embedder(model), ct);
            await output.WriteLineAsync($"retriever: {search.Corpus.Count} passages, {LocalEmbeddingGenerator.ModelId} (offline), k={K}");
            await output.WriteLineAsync();
            var rag = CreateProgram();
            var questions = options.Get("--question") is { } asked
                ? [new Example { ["question"] = asked }.WithInputs("question")]
                : Questions();

            var correct = 0;
            foreach (var example in questions)
            {
                var question = (string)example["question"]!;
                var hits = await search.CallAsync(question, ct);
                var passages = (List<string>)hits["passages"]!;
                var indices = (List<int>)hits["indices"]!;
                var prediction = await rag.CallAsync(new Example { ["context"] = passages, ["question"] = question }.WithInputs("context", "question"), ct);
                var response = (string)prediction["response"]!;

                await output.WriteLineAsync($"question:  {question}");
                for (var i = 0; i < passages.Count; i++) await output.WriteLineAsync($"passage:   [{indices[i]}] {passages[i]}");
                await output.WriteLineAsync($"reasoning: {prediction["reasoning"]}");
                var line = $"response:  {response}";
                if (example.TryGetValue("expected", out var expected) && expected is string e)
                {
                    var ok = response.Contains(e, StringComparison.OrdinalIgnoreCase);
                    if (ok) correct++;
                    line += $"  (expects \"{e}\": {(ok ? "yes" : "no")})";
                }
                await output.WriteLineAsync(line);
                await output.WriteLineAsync();
            }
            if (options.Get("--question") is null)
            {
                await output.WriteLineAsync($"{correct} of {questions.Count} responses contain the expected answer with {options.Model}");
            }
        });
}
