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
        Assert.Equal(SimSamples.IntentDemosJsonl(), File.ReadAllText(Path.Combine(dir, "intent", "demos.jsonl")));
        Assert.Equal(SimSamples.ArithmeticDemosJsonl(), File.ReadAllText(Path.Combine(dir, "arithmetic", "demos.jsonl")));
        Assert.Equal(SimSamples.IntentSignature + "\n", File.ReadAllText(Path.Combine(dir, "intent", "signature.txt")));
        Assert.Equal(SimSamples.ArithmeticSignature + "\n", File.ReadAllText(Path.Combine(dir, "arithmetic", "signature.txt")));
    }

    [Fact]
    public void Shipped_demos_come_from_the_train_split_and_follow_their_rule()
    {
        var train = SampleData.Load("intent", "train");
        var demos = SampleData.Load("intent", "demos");
        Assert.Equal(SimSamples.IntentDemoCount, demos.Count);
        Assert.Equal(demos.Count, demos.Select(d => d["label"]).Distinct().Count());
        // The first example of each new label, in train order.
        var firsts = train.GroupBy(r => r["label"]).Select(g => g.First()["text"]).Take(SimSamples.IntentDemoCount).ToList();
        Assert.Equal(firsts, demos.Select(d => d["text"]).ToList());

        var arithmeticTrain = SampleData.Load("arithmetic", "train").Select(r => r["question"]).ToHashSet();
        var arithmeticDemos = SampleData.Load("arithmetic", "demos");
        Assert.Equal(ArithmeticSampleGenerator.TemplateNames.Count, arithmeticDemos.Count);
        Assert.All(arithmeticDemos, d => Assert.Contains(d["question"], arithmeticTrain));
    }

    [Fact]
    public void One_example_of_an_intent_resembles_most_other_examples_of_it()
    {
        // Each intent's phrases share theme words, so one demo carries over: the first training example of a label is
        // at least MinDemoSimilarity-similar (as the sim scores a demo against an input) to most examples of that label,
        // and to few examples of other labels.
        var rows = SampleData.Load("intent", "train");
        int same = 0, sameHits = 0, other = 0, otherHits = 0;
        foreach (var group in rows.GroupBy(r => r["label"]))
        {
            var demo = group.First()["text"];
            foreach (var row in rows.Where(r => r["text"] != demo))
            {
                var hit = new SimSimilarity([demo, row["text"]]).Score(demo, row["text"]) >= SimSolver.MinDemoSimilarity;
                if (row["label"] == group.Key) { same++; sameHits += hit ? 1 : 0; }
                else { other++; otherHits += hit ? 1 : 0; }
            }
        }
        var sameRate = sameHits / (double)same;
        var otherRate = otherHits / (double)other;
        Assert.True(sameRate >= 0.55 && otherRate <= 0.1, $"same label {sameRate:P1}, other labels {otherRate:P1}");
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
