using Dspy.Samples.Article;

namespace Dspy.Samples.Tests;

public class ArticleSampleTests
{
    [Fact]
    public void The_module_exposes_both_steps_as_predictors_under_DSPy_paths()
    {
        var names = ArticleSample.CreateProgram().NamedPredictors().Select(p => p.Name);
        Assert.Equal(["build_outline.predict", "draft_section.predict"], names);
    }

    [Fact]
    public async Task On_sim_the_outline_drives_one_section_call_per_heading()
    {
        var article = ArticleSample.CreateProgram();
        using (Settings.Context(lm: new LM("sim")))
        {
            var outline = await article.BuildOutline.CallAsync(new { topic = ArticleSample.DefaultTopic });
            var plan = outline.Get<Dictionary<string, List<string>>>("section_subheadings");
            Assert.NotEmpty(plan);

            var result = await article.CallAsync(new { topic = ArticleSample.DefaultTopic });

            Assert.False(string.IsNullOrWhiteSpace(result.Get<string>("title")));
            var sections = result.Get<List<string>>("sections");
            Assert.Equal(plan.Count, sections.Count);
            Assert.All(sections, s => Assert.False(string.IsNullOrWhiteSpace(s)));
            // One outline call, then one draft call per section.
            Assert.Equal(1 + plan.Count, article.History.Count);
        }
    }

    [Fact]
    public async Task Run_prints_the_article_as_markdown()
    {
        var (code, output) = await SampleRun.RunAsync(ArticleSample.RunAsync, "--lm", "sim", "--topic", "World Cup 2006");
        Assert.Equal(0, code);
        Assert.Contains("\n# ", output, StringComparison.Ordinal);
        Assert.Contains("LM calls: 1 outline + 1 per section", output, StringComparison.Ordinal);
    }
}
