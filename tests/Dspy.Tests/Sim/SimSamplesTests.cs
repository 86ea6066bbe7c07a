namespace Dspy.Tests.Sim;

public sealed class SimSamplesTests
{
    [Fact]
    public void Checked_in_samples_are_exactly_what_the_generator_writes()
    {
        var (intentTrain, intentDev) = SimSamples.IntentJsonl();
        var (arithTrain, arithDev) = SimSamples.ArithmeticJsonl();
        var dir = SampleData.SamplesDirectory;
        Assert.Equal(intentTrain, File.ReadAllText(Path.Combine(dir, "intent", "train.jsonl")));
        Assert.Equal(intentDev, File.ReadAllText(Path.Combine(dir, "intent", "dev.jsonl")));
        Assert.Equal(arithTrain, File.ReadAllText(Path.Combine(dir, "arithmetic", "train.jsonl")));
        Assert.Equal(arithDev, File.ReadAllText(Path.Combine(dir, "arithmetic", "dev.jsonl")));
    }

    [Fact]
    public void Intent_task_has_enough_labels_and_examples()
    {
        var rows = SampleData.Load("intent", "train").Concat(SampleData.Load("intent", "dev")).ToList();
        Assert.True(rows.Count >= 1000);
        Assert.True(rows.Select(r => r["label"]).Distinct().Count() >= 20);
        Assert.All(rows, r => Assert.Contains(r["label"], IntentSampleGenerator.Labels));
    }

    [Fact]
    public void Arithmetic_answers_are_exact()
    {
        foreach (var (question, answer, template) in ArithmeticSampleGenerator.Generate(SimSamples.ArithmeticSeed, 20))
        {
            var numbers = SimText.Numbers(question);
            var fits = SimExpression.Fit(numbers, answer);
            Assert.True(fits.Count > 0, $"{template}: {question} = {answer}");
        }
    }
}
