using System.Globalization;
using System.Text.RegularExpressions;
using Dspy.Samples.Math;

namespace Dspy.Samples.Tests;

public class MathSampleTests
{
    [Fact]
    public async Task Run_on_sim_prints_a_float_answer_per_bundled_question_and_the_score()
    {
        var (code, output) = await SampleRun.RunAsync(MathSample.RunAsync, "--lm", "sim");

        Assert.Equal(0, code);
        Assert.StartsWith("LM: sim (the deterministic simulator", output, StringComparison.Ordinal);
        var answers = SampleRun.Values(output, "answer:");
        Assert.Equal(MathSample.Questions().Count, answers.Count);
        foreach (var line in answers)
        {
            var number = line.Split(' ')[0];
            Assert.True(double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"not a float: {line}");
        }
        Assert.Equal(MathSample.Questions().Count, SampleRun.Values(output, "reasoning:").Count(r => r.Length > 0));
        Assert.Contains("5 of 6 answers correct with sim", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sim_solves_every_bundled_question_that_has_numbers_by_the_nearest_demos_pattern()
    {
        var math = MathSample.CreateProgram();
        // The simulator does arithmetic over the digits in a question; the homepage's dice question spells its numbers out.
        var solvable = MathSample.Questions().Where(q => Regex.IsMatch((string)q["question"]!, @"\d")).ToList();
        Assert.Equal(5, solvable.Count);

        using (Settings.Context(lm: new LM("sim")))
        {
            foreach (var question in solvable)
            {
                var prediction = await math.CallAsync(question);
                var answer = prediction.Get<double>("answer");
                Assert.True(MathSample.IsCorrect(answer, question.Get<double>("answer")), $"{question["question"]} -> {answer}");
                Assert.Contains("pattern of the most similar example", (string)prediction["reasoning"]!, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Without_the_demos_sim_only_adds_the_numbers_and_misses_the_answers()
    {
        // The demos are what make the answers right: the same program with no demos falls back to the zero-knowledge guess.
        var math = new ChainOfThought("question -> answer: float");
        var question = MathSample.Questions().First(q => ((string)q["question"]!).Contains("average speed", StringComparison.Ordinal));

        using (Settings.Context(lm: new LM("sim")))
        {
            var prediction = await math.CallAsync(question);
            Assert.Equal(152.5, prediction.Get<double>("answer"));
            Assert.False(MathSample.IsCorrect(prediction.Get<double>("answer"), question.Get<double>("answer")));
        }
    }

    [Fact]
    public async Task A_question_option_asks_only_that_question()
    {
        var (code, output) = await SampleRun.RunAsync(MathSample.RunAsync,
            "--lm", "sim", "--question", "A bus covers 90 km in 1.5 hours. What is its average speed in km per hour?");

        Assert.Equal(0, code);
        Assert.Equal(["60"], SampleRun.Values(output, "answer:"));
        Assert.DoesNotContain("answers correct", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus", "x")]
    [InlineData("--question")]
    [InlineData("--lm", "nosuchprovider/model")]
    public async Task Bad_options_exit_with_2(params string[] args)
    {
        var (code, _) = await SampleRun.RunAsync(MathSample.RunAsync, args);
        Assert.Equal(2, code);
    }
}
