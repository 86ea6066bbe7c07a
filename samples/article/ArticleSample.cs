namespace Dspy.Samples.Article;

/// <summary>
/// DSPy's homepage "Multi-Stage Pipelines" example: <see cref="DraftArticle"/> outlines a topic and drafts each section,
/// each step a ChainOfThought shown a worked example (<c>demos.outline.jsonl</c>, <c>demos.section.jsonl</c>).
/// </summary>
public static class ArticleSample
{
    /// <summary>The topic drafted when <c>--topic</c> is not given (the homepage's).</summary>
    public const string DefaultTopic = "World Cup 2002";

    /// <summary>The program, with the bundled demos attached to both steps.</summary>
    public static DraftArticle CreateProgram()
    {
        var article = new DraftArticle();
        article.BuildOutline.Predict.Demos = SampleData.ReadExamples("article", "demos.outline.jsonl", "topic");
        article.DraftSection.Predict.Demos =
            SampleData.ReadExamples("article", "demos.section.jsonl", "topic", "section_heading", "section_subheadings");
        return article;
    }

    /// <summary>Runs the sample: <c>[--lm MODEL] [--topic TEXT]</c>; prints the article as markdown. Returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct) =>
        SampleHost.RunAsync("article", args, output, ["--topic"], async options =>
        {
            var draftArticle = CreateProgram();
            var topic = options.Get("--topic") ?? DefaultTopic;
            var article = await draftArticle.CallAsync(new Dictionary<string, object?> { ["topic"] = topic }, ct);

            await output.WriteLineAsync($"# {article["title"]}");
            foreach (var section in article.Get<List<string>>("sections"))
            {
                await output.WriteLineAsync();
                await output.WriteLineAsync(section);
            }
            await output.WriteLineAsync();
            await output.WriteLineAsync($"({draftArticle.History.Count} LM calls: 1 outline + 1 per section)");
        });
}
