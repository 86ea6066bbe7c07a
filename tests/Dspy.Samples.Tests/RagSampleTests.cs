using Dspy.Samples.Rag;

namespace Dspy.Samples.Tests;

public class RagSampleTests
{
    [Fact]
    public async Task Run_on_sim_retrieves_the_right_passage_and_quotes_it_for_every_bundled_question()
    {
        var (code, output) = await SampleRun.RunAsync(RagSample.RunAsync, "--lm", "sim");

        Assert.Equal(0, code);
        Assert.StartsWith("LM: sim (the deterministic simulator", output, StringComparison.Ordinal);
        Assert.Contains("retriever: 291 passages, sentence-transformers/all-MiniLM-L6-v2 (offline), k=3", output, StringComparison.Ordinal);
        var questions = RagSample.Questions();
        Assert.Equal(questions.Count * RagSample.K, SampleRun.Values(output, "passage:").Count);
        var responses = SampleRun.Values(output, "response:");
        Assert.Equal(questions.Count, responses.Count);
        Assert.All(SampleRun.Values(output, "reasoning:"), r => Assert.StartsWith("Like the examples, I quote the passage of the context", r, StringComparison.Ordinal));
        Assert.Contains($"{questions.Count} of {questions.Count} responses contain the expected answer with sim", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_offline_retriever_ranks_the_passage_with_the_answer_first()
    {
        using var model = new LocalEmbeddingGenerator();
        var search = await RagSample.CreateSearchAsync(new Embedder(model));
        foreach (var question in RagSample.Questions())
        {
            var top = ((List<string>)(await search.CallAsync((string)question["question"]!))["passages"]!)[0];
            Assert.Contains((string)question["expected"]!, top, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Without_the_demos_sim_does_not_answer_from_the_context()
    {
        // The demos teach the simulator to quote its context; without them it falls back to its zero-knowledge guess.
        using var model = new LocalEmbeddingGenerator();
        var search = await RagSample.CreateSearchAsync(new Embedder(model));
        var rag = new ChainOfThought("context, question -> response");
        const string question = "Which metal stays liquid at room temperature?";
        var passages = (List<string>)(await search.CallAsync(question))["passages"]!;
        using (Settings.Context(lm: new LM("sim")))
        {
            var prediction = await rag.CallAsync(new Example { ["context"] = passages, ["question"] = question }.WithInputs("context", "question"));
            Assert.DoesNotContain("Mercury", (string)prediction["response"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_question_option_asks_only_that_question()
    {
        var (code, output) = await SampleRun.RunAsync(RagSample.RunAsync, "--lm", "sim", "--question", "What do bees do for crops?");
        Assert.Equal(0, code);
        var response = Assert.Single(SampleRun.Values(output, "response:"));
        Assert.Contains("pollinate", response, StringComparison.Ordinal);
        Assert.DoesNotContain("responses contain", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus", "x")]
    [InlineData("--lm", "nosuchprovider/model")]
    public async Task Bad_options_exit_with_2(params string[] args)
    {
        var (code, _) = await SampleRun.RunAsync(RagSample.RunAsync, args);
        Assert.Equal(2, code);
    }
}
