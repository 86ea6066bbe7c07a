using System.Globalization;
using Dspy.Samples.Sentiment;

namespace Dspy.Samples.Tests;

public class SentimentSampleTests
{
    private static readonly string[] Labels = ["positive", "negative", "neutral"];

    [Fact]
    public void The_enum_output_is_offered_to_the_LM_as_the_homepage_Literal_choices()
    {
        var field = SentimentSample.CreateProgram().Signature["sentiment"]!;
        Assert.Equal(TypeKind.Enum, field.Type.Kind);
        Assert.Equal(Labels, Enum.GetValues<Sentiment.Sentiment>().Select(v => ValueModel.EnumValue(v)));
    }

    [Fact]
    public async Task Run_on_sim_labels_every_bundled_sentence_from_the_set_with_a_confidence_between_0_and_1()
    {
        var (code, output) = await SampleRun.RunAsync(SentimentSample.RunAsync, "--lm", "sim");

        Assert.Equal(0, code);
        var rows = output.Split('\n').Skip(1).Where(l => l.Contains("  (", StringComparison.Ordinal)).ToList();
        Assert.Equal(SentimentSample.Sentences().Count, rows.Count);
        foreach (var row in rows)
        {
            var parts = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(parts[0], Labels);
            var confidence = double.Parse(parts[1], CultureInfo.InvariantCulture);
            Assert.InRange(confidence, 0, 1);
        }
        Assert.Contains("6 of 6 labels correct with sim", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sim_labels_the_homepage_sentence_positive_from_its_nearest_demo()
    {
        var classify = SentimentSample.CreateProgram();
        using (Settings.Context(lm: new LM("sim")))
        {
            var prediction = await classify.CallAsync(new { sentence = "This book was super fun to read, though not the last chapter." });
            Assert.Equal(Sentiment.Sentiment.Positive, prediction.Get<Sentiment.Sentiment>("sentiment"));
            Assert.InRange(prediction.Get<double>("confidence"), 0, 1);
        }
    }

    [Fact]
    public async Task A_sentence_option_classifies_only_that_sentence()
    {
        var (code, output) = await SampleRun.RunAsync(SentimentSample.RunAsync, "--lm", "sim", "--sentence", "The staff were rude.");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Single(lines);
        Assert.StartsWith("negative", lines[0], StringComparison.Ordinal);
    }
}
